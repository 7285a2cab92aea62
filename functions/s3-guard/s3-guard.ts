import type { BaselineStore } from '#shared/audit/baseline-store.ts';
import type { RemediationJournal } from '#shared/audit/remediation-journal.ts';
import type { ClientsFor } from '#shared/aws/cross-account.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import type { ControlId } from '#shared/contracts/controls.ts';
import {
  ACCOUNT_CONTROLS,
  BASELINE_ENDING_EVENT_NAMES,
  BUCKET_CONTROLS,
  S3_GUARD_EVENT_NAMES,
} from '#shared/controls/registry.ts';
import type { AccountControl, BucketControl, EvaluationContext } from '#shared/controls/types.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { SWEEP_ACCOUNT_EVENT_NAME, SWEEP_EVENT_NAMES } from '#shared/events/sweep-call.ts';
import { controlsFor } from '#shared/guard/evaluate.ts';
import { createGuard, type GuardDeps, type GuardPlugin, type Scope } from '#shared/guard/pipeline.ts';
import { remediateResource } from '#shared/guard/resource.ts';
import { ACCOUNT_RESOURCE_TYPE, accountResource, BUCKET_RESOURCE_TYPE } from '#shared/model/views.ts';
import { exemptFromAll, isExemptFrom } from '#shared/policy/exemptions.ts';
import { bucketNameOf } from './bucket-names.ts';
import { judgeExemptions } from './exemptions.ts';
import { accountTarget, bucketTarget, endPolicyBaseline, type S3Clients } from './targets.ts';

export type { S3Clients } from './targets.ts';

export interface S3GuardDeps extends GuardDeps, S3Clients {
  readonly config: Pick<GuardConfig, 'kmsKeyArn' | 'ownSessionArns' | 'policy'>;
  /** Last-known-good bucket policies, kept in the audit table. */
  readonly baselines: BaselineStore;
  /** What each event's fixes started, so a retry after a later failure still reports the repair. */
  readonly journal: RemediationJournal;
  readonly controls?: readonly BucketControl[];
  readonly accountControls?: readonly AccountControl[];
  /** Waits between read-backs of account-level settings, which S3 shows after a delay. */
  readonly pause?: (milliseconds: number) => Promise<void>;
  /**
   * Clients for the event's account and region (organization mode: the assumed member role, see
   * shared/aws/cross-account.ts). Defaults to `s3`, `s3Control` and `kmsKeys` for every event.
   */
  readonly clientsFor?: ClientsFor<S3Clients>;
  /**
   * The sweep's guard: it takes only the sweep's synthetic calls (shared/events/sweep-call.ts), one per
   * bucket or account, and runs every active control on them; the event guard never takes those.
   */
  readonly sweep?: boolean;
}

/** What an S3 event concerns: one bucket, or the account's own S3 settings. */
type S3Subject =
  /** `controlIds`: the controls the event triggers, less those an exemption of the bucket covers (plain data). */
  | { readonly scope: 'bucket'; readonly bucket: string; readonly controlIds: readonly ControlId[] }
  | { readonly scope: 'account' };

const defaultPause = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** s3-guard: the bucket and account-level S3 controls, as a plug-in to the one guard pipeline. */
export function createS3Guard(deps: S3GuardDeps) {
  return createGuard(deps, s3GuardPlugin(deps));
}

export function s3GuardPlugin(deps: S3GuardDeps): GuardPlugin<S3Subject> {
  const bucketControls = deps.controls ?? BUCKET_CONTROLS;
  const accountControls = deps.accountControls ?? ACCOUNT_CONTROLS;
  const accountEvents = new Set(accountControls.flatMap((control) => control.triggers));
  if (deps.sweep) accountEvents.add(SWEEP_ACCOUNT_EVENT_NAME);
  const eventNames = deps.sweep
    ? SWEEP_EVENT_NAMES
    : deps.controls || deps.accountControls
      ? [
          ...new Set([
            ...bucketControls.flatMap((c) => c.triggers),
            ...accountEvents,
            ...BASELINE_ENDING_EVENT_NAMES,
          ]),
        ]
      : S3_GUARD_EVENT_NAMES;
  const resourceDeps = { journal: deps.journal, pause: deps.pause ?? defaultPause };

  /** The clients for the call's account and region, fetched on first use (an assumed role in a member account). */
  function clientsOf(call: ApiCall): () => Promise<S3Clients> {
    let scoped: Promise<S3Clients> | undefined;
    return () => {
      scoped ??= deps.clientsFor
        ? deps.clientsFor({ accountId: call.accountId, region: call.region, eventId: call.eventId })
        : Promise.resolve(deps);
      return scoped;
    };
  }

  function contextFor(call: ApiCall): EvaluationContext {
    return {
      policy: deps.config.policy,
      wardenKmsKeyArn: deps.config.kmsKeyArn,
      accountId: call.accountId,
      region: call.region,
    };
  }

  return {
    eventNames,
    async scope(call): Promise<Scope<S3Subject>> {
      if (accountEvents.has(call.eventName)) return { subject: { scope: 'account' } };
      const bucket = bucketNameOf(call);
      if (!bucket)
        return {
          rejected: `${call.eventName} event ${call.eventId} has no valid requestParameters.bucketName`,
        };
      if (BASELINE_ENDING_EVENT_NAMES.includes(call.eventName)) await endPolicyBaseline(deps, call, bucket);
      const exemptions = judgeExemptions(deps, call, bucket);
      if (exemptFromAll(exemptions)) return { ignored: `bucket ${bucket} is exempt by policy` };
      if (call.eventName === 'DeleteBucket') return { settled: `ended the policy baseline of ${bucket}` };
      const triggered = controlsFor(call.eventName, bucketControls, deps.config.policy);
      const controls = triggered.filter((control) => !isExemptFrom(exemptions, control.id));
      if (controls.length === 0 && triggered.length > 0)
        return {
          ignored: `bucket ${bucket} is exempt by policy from ${triggered.map((c) => c.id).join(', ')}`,
        };
      return { subject: { scope: 'bucket', bucket, controlIds: controls.map((control) => control.id) } };
    },
    remediate(call, subject, pausedFor) {
      const context = contextFor(call);
      return subject.scope === 'account'
        ? remediateResource(
            resourceDeps,
            call,
            accountTarget(call, clientsOf(call)),
            controlsFor(call.eventName, accountControls, deps.config.policy),
            context,
            pausedFor,
          )
        : remediateResource(
            resourceDeps,
            call,
            bucketTarget(deps, call, subject.bucket, clientsOf(call), context),
            bucketControls.filter((control) => subject.controlIds.includes(control.id)),
            context,
            pausedFor,
          );
    },
    describe(call, subject) {
      if (subject.scope === 'bucket')
        return { resourceType: BUCKET_RESOURCE_TYPE, resource: subject.bucket, accountId: call.accountId };
      return {
        resourceType: ACCOUNT_RESOURCE_TYPE,
        resource: accountResource(call.accountId),
        accountId: call.accountId,
        // The account's Block Public Access page, not the IAM page the generic links point to.
        resourceLink: `https://s3.console.aws.amazon.com/s3/settings?region=${call.region}`,
      };
    },
  };
}
