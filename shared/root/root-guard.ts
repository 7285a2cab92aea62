import type { AwsCredentialIdentity } from '@smithy/types';
import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { AuditLog, AuditRecord } from '#shared/audit/audit-log.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlId, ControlMode } from '#shared/contracts/controls.ts';
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import type { RootControl, RootFinding } from '#shared/controls/root-control.ts';
import { ROOT_CONTROLS } from '#shared/controls/root-registry.ts';
import { AccessDeniedError, classifyError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import { classifyRootActivity, type RootActivity } from '#shared/model/root-activity.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { AssumeRootCredentials } from './assume-root.ts';
import { deleteRootAccessKey, type RootIamClientFactory, type RootKeyDeletion } from './root-access-keys.ts';
import { buildRootAlert, ROOT_RESOURCE_TYPE } from './root-alert.ts';

export interface RootGuardDeps {
  readonly config: { readonly policy: Policy };
  /** STS AssumeRoot, or a stand-in where STS lacks it (the emulator). */
  readonly assumeRootCredentials: AssumeRootCredentials;
  readonly rootIam: RootIamClientFactory;
  readonly alerts: AlertPublisher;
  readonly audit: AuditLog;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  readonly clock: Clock;
  readonly once: OnceWrapper;
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

export function modeOf(control: RootControl, policy: Policy): ControlMode {
  return policy.controls[control.id as ControlId]?.mode ?? control.defaultMode;
}

const keyIds = (deletion: RootKeyDeletion, except: string) =>
  deletion.after.map((key) => key.accessKeyId).filter((id) => id !== except);

export function createRootGuard(deps: RootGuardDeps) {
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

  async function judge(control: RootControl, activity: RootActivity): Promise<ControlOutcome | undefined> {
    const finding = control.assess(activity, { deployment: deps.config.policy.deployment });
    if (!finding) return undefined;
    const { remedy } = finding;
    if (remedy.type === 'Manual')
      return outcomeOf(control, finding, {
        status: 'DETECTED',
        reason: `${finding.summary} ${remedy.why}`,
        actions: remedy.steps,
      });
    if (modeOf(control, deps.config.policy) === 'detect')
      return outcomeOf(control, finding, {
        status: 'DETECTED',
        reason: `${finding.summary} (detect mode: Warden deleted nothing)`,
        actions: [
          `Would delete root access key ${remedy.accessKeyId} of account ${remedy.accountId} (DeleteAccessKey)`,
        ],
      });
    return deleteKey(control, finding, remedy.accountId, remedy.accessKeyId);
  }

  async function remediate(input: ApiCall & { activity: RootActivity }): Promise<readonly ControlOutcome[]> {
    const active = activeControls(input.activity);
    const outcomes = (await Promise.all(active.map((control) => judge(control, input.activity)))).filter(
      (outcome): outcome is ControlOutcome => outcome !== undefined,
    );
    await deps.audit.record(auditRecordsFor(input, outcomes, deps.clock.now()));
    return outcomes;
  }

  function activeControls(activity: RootActivity): readonly RootControl[] {
    return controls.filter(
      (control) => control.activity === activity.kind && modeOf(control, deps.config.policy) !== 'off',
    );
  }

  const remediateOnce = deps.once('remediate', remediate);
  const alertOnce = deps.once('alert', (alert: Alert) => deps.alerts.publish(alert));

  return async function handleRootEvent(call: ApiCall): Promise<GuardResult> {
    const header = { eventId: call.eventId, eventName: call.eventName };
    const { activity, ignored } = classifyRootActivity(call);
    if (!activity) return ignore(header, ignored);
    if (activeControls(activity).length === 0)
      return ignore(header, `every control for ${activity.kind} is off by policy`);

    const outcomes = await remediateOnce({ ...call, activity });
    for (const outcome of outcomes) recordOutcome(outcome, header);

    const alert = buildRootAlert(call, activity, outcomes);
    // Published after the outcome is stored: if SNS fails, Lambda retries and only the alert is redone.
    const alertMessageId = alert ? await alertOnce(alert) : undefined;
    if (alertMessageId) deps.metrics.count('AlertsPublished');
    return { ...header, status: 'PROCESSED', outcomes, ...(alertMessageId ? { alertMessageId } : {}) };
  };

  function ignore(header: { eventId: string; eventName: string }, reason: string): GuardResult {
    // Debug, not info: most CreateAccessKey and ConsoleLogin events are IAM users' and expected.
    deps.log.debug('Event ignored', { ...header, reason });
    deps.metrics.count('EventsIgnored');
    return { ...header, status: 'IGNORED', reason, outcomes: [] };
  }

  function recordOutcome(outcome: ControlOutcome, header: { eventId: string; eventName: string }) {
    const line = { ...header, controlId: outcome.controlId, status: outcome.status, reason: outcome.reason };
    const dimensions = { control: outcome.controlId };
    if (outcome.status === 'FAILED') {
      deps.log.error('Control outcome', line);
      deps.metrics.count('RemediationFailures', dimensions);
    } else {
      deps.log.warn('Control outcome', line);
    }
    // Root use is a violation even when the key was already gone.
    deps.metrics.count('Violations', dimensions);
    if (outcome.status === 'REMEDIATED') deps.metrics.count('Remediations', dimensions);
    if (outcome.status === 'DETECTED') deps.metrics.count('Detections', dimensions);
  }
}

function auditRecordsFor(
  call: ApiCall & { activity: RootActivity },
  outcomes: readonly ControlOutcome[],
  now: Date,
): AuditRecord[] {
  return outcomes.map((outcome) => ({
    actionId: `${call.eventId}:${outcome.controlId}`,
    eventId: call.eventId,
    eventName: call.eventName,
    time: now.toISOString(),
    actor: call.actor.arn ?? call.actor.type,
    accountId: call.activity.accountId,
    region: call.region,
    resourceType: ROOT_RESOURCE_TYPE,
    resource: outcome.resource,
    outcome,
  }));
}
