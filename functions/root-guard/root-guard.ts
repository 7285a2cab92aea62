import type { AwsCredentialIdentity } from '@smithy/types';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { RootControl, RootFinding } from '#shared/controls/root-control.ts';
import { ROOT_CONTROLS } from '#shared/controls/root-registry.ts';
import { AccessDeniedError, classifyError } from '#shared/errors/errors.ts';
import { modeOf } from '#shared/guard/evaluate.ts';
import type { PausedFor } from '#shared/guard/fights.ts';
import { createGuard, type GuardDeps, type GuardPlugin } from '#shared/guard/pipeline.ts';
import { classifyRootActivity, type RootActivity, rootArnOf } from '#shared/model/root-activity.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { AssumeRootCredentials } from './assume-root.ts';
import { deleteRootAccessKey, type RootIamClientFactory, type RootKeyDeletion } from './root-access-keys.ts';
import { ROOT_RESOURCE_TYPE, rootAlertTitle } from './root-alert.ts';

export interface RootGuardDeps extends Omit<GuardDeps, 'config'> {
  /** Root-guard takes no action whose CloudTrail event it could see again, so it needs no own sessions. */
  readonly config: { readonly policy: Policy; readonly ownSessionArns?: readonly string[] };
  /** STS AssumeRoot, or a stand-in where STS lacks it (the emulator). */
  readonly assumeRootCredentials: AssumeRootCredentials;
  readonly rootIam: RootIamClientFactory;
  readonly controls?: readonly RootControl[];
}

/** What to turn on when AssumeRoot is refused: the usual cause is centralised root access being off. */
export const ASSUME_ROOT_DENIED_HELP =
  'Turn on centralised root access in the management account: trusted access for IAM ' +
  '(`aws organizations enable-aws-service-access --service-principal iam.amazonaws.com`), then ' +
  '`aws iam enable-organizations-root-credentials-management` and `aws iam enable-organizations-root-sessions`. ' +
  "Warden's role needs sts:AssumeRoot and must run in the management account or the IAM delegated administrator account.";

const ROOT_SESSION_DENIED_HELP =
  'The root session was refused: check for an SCP or RCP denying iam:ListAccessKeys or iam:DeleteAccessKey in this account.';

const keyIds = (deletion: RootKeyDeletion, except: string) =>
  deletion.after.map((key) => key.accessKeyId).filter((id) => id !== except);

/** root-guard: the root-credential controls, as a plug-in to the one guard pipeline. */
export function createRootGuard(deps: RootGuardDeps) {
  return createGuard({ ...deps, config: { ownSessionArns: [], ...deps.config } }, rootGuardPlugin(deps));
}

export function rootGuardPlugin(deps: RootGuardDeps): GuardPlugin<RootActivity> {
  const controls = deps.controls ?? ROOT_CONTROLS;

  function outcomeOf(
    control: RootControl,
    finding: RootFinding,
    rest: Pick<ControlOutcome, 'status' | 'reason' | 'actions'> & Partial<ControlOutcome>,
  ): ControlOutcome {
    return {
      controlId: control.id,
      title: control.title,
      severity: finding.severity,
      compliance: [...control.compliance, ...finding.extraCompliance],
      resource: finding.resource,
      ...rest,
    };
  }

  /** Delete through a root session; terminal failures become a FAILED outcome, retryable ones are thrown. */
  async function deleteKey(
    control: RootControl,
    finding: RootFinding,
    accountId: string,
    accessKeyId: string,
  ): Promise<ControlOutcome> {
    const action = `DeleteAccessKey ${accessKeyId} on the root user of ${accountId} (via sts:AssumeRoot)`;
    const failed = (error: unknown, context: string, deniedHelp: string): ControlOutcome => {
      const classified = classifyError(error, context);
      if (classified.retryable) throw classified;
      const help = classified instanceof AccessDeniedError ? ` ${deniedHelp}` : '';
      return outcomeOf(control, finding, {
        status: 'FAILED',
        reason: `${finding.summary} Warden could not delete it: ${classified.message}.${help}`,
        actions: [action],
      });
    };
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await deps.assumeRootCredentials(accountId);
    } catch (error) {
      return failed(error, `STS AssumeRoot into account ${accountId}`, ASSUME_ROOT_DENIED_HELP);
    }
    let deletion: RootKeyDeletion;
    try {
      deletion = await deleteRootAccessKey(deps.rootIam(credentials), accountId, accessKeyId);
    } catch (error) {
      return failed(error, `deleting root access key ${accessKeyId}`, ROOT_SESSION_DENIED_HELP);
    }
    const others = keyIds(deletion, accessKeyId);
    const othersNote =
      others.length > 0
        ? ` The root user still has other access keys: ${others.join(', ')}; Warden deletes only the key of this event, delete those too.`
        : '';
    const views = { before: { rootAccessKeys: deletion.before }, after: { rootAccessKeys: deletion.after } };
    if (deletion.result === 'ALREADY_GONE')
      return outcomeOf(control, finding, {
        status: 'ALREADY_COMPLIANT',
        reason: `${finding.summary} The key was already deleted when Warden looked; nothing to do.${othersNote}`,
        actions: [],
        ...views,
      });
    if (deletion.result === 'STILL_PRESENT')
      return outcomeOf(control, finding, {
        status: 'FAILED',
        reason: `${finding.summary} Warden deleted it, but the read-back still lists ${accessKeyId}.`,
        actions: [action],
        ...views,
      });
    return outcomeOf(control, finding, {
      status: 'REMEDIATED',
      reason: `${finding.summary} Warden deleted it through centralised root access and verified it is gone.${othersNote}`,
      actions: [action],
      ...views,
    });
  }

  async function judge(
    control: RootControl,
    activity: RootActivity,
    pausedFor: PausedFor,
  ): Promise<ControlOutcome | undefined> {
    const finding = control.assess(activity, { deployment: deps.config.policy.deployment });
    if (!finding) return undefined;
    const { remedy } = finding;
    if (remedy.type === 'Manual')
      return outcomeOf(control, finding, {
        status: 'DETECTED',
        reason: `${finding.summary} ${remedy.why}`,
        actions: remedy.steps,
      });
    // A fight's cool-down pauses enforcement like detect mode (never for CRITICAL exposure, see fight.ts);
    // asked only when Warden would delete.
    const detect = modeOf(control, deps.config.policy) === 'detect';
    const pausedBecause = detect ? undefined : (await pausedFor())[control.id];
    if (detect || pausedBecause)
      return outcomeOf(control, finding, {
        status: 'DETECTED',
        reason: `${finding.summary} (${pausedBecause ?? 'detect mode: Warden deleted nothing'})`,
        actions: [
          `Would delete root access key ${remedy.accessKeyId} of account ${remedy.accountId} (DeleteAccessKey)`,
        ],
      });
    return deleteKey(control, finding, remedy.accountId, remedy.accessKeyId);
  }

  function activeControls(activity: RootActivity): readonly RootControl[] {
    return controls.filter(
      (control) => control.activity === activity.kind && modeOf(control, deps.config.policy) !== 'off',
    );
  }

  return {
    eventNames: [...new Set(controls.flatMap((control) => control.trigger.eventNames))],
    // Root use is itself the violation: a key already gone is still reported.
    compliantIsViolation: true,
    scope(call) {
      const { activity, ignored } = classifyRootActivity(call);
      if (!activity) return { ignored };
      if (activeControls(activity).length === 0)
        return { ignored: `every control for ${activity.kind} is off by policy` };
      return { subject: activity };
    },
    async remediate(_call, activity, pausedFor) {
      const judged = await Promise.all(
        activeControls(activity).map((control) => judge(control, activity, pausedFor)),
      );
      return { outcomes: judged.filter((outcome): outcome is ControlOutcome => outcome !== undefined) };
    },
    describe: (_call, activity) => ({
      resourceType: ROOT_RESOURCE_TYPE,
      resource: rootArnOf(activity.accountId),
      accountId: activity.accountId,
      titleFor: (outcomes) => rootAlertTitle(activity, outcomes),
    }),
  };
}
