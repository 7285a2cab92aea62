import type { BaselineStore } from '#shared/audit/baseline-store.ts';
import { ROLLBACK_CONTROL_IDS } from '#shared/controls/bucket-policy-plan.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { Evaluation } from '#shared/guard/evaluate.ts';
import type { Target } from '#shared/guard/resource.ts';
import {
  type AccountAction,
  type AccountState,
  type AccountStatePart,
  describeAccountAction,
} from '#shared/model/account.ts';
import type { BucketState, BucketStatePart } from '#shared/model/bucket.ts';
import { type BucketAction, describeAction } from '#shared/model/bucket-actions.ts';
import { accountResource, accountView, bucketView } from '#shared/model/views.ts';
import type { Clock } from '#shared/observability/observability.ts';
import { applyAccountAction } from '#shared/s3/account/account-actions.ts';
import { type AccountStateDeps, readAccountState } from '#shared/s3/account/account-state.ts';
import { applyBucketAction, type BucketActionDeps } from '#shared/s3/bucket-actions.ts';
import { type BucketStateDeps, readBucketState } from '#shared/s3/bucket-state.ts';

/** The clients that read and write one account's S3 settings in one region, and Warden's key there. */
export type S3Clients = BucketStateDeps & BucketActionDeps & AccountStateDeps;

export interface BucketTargetDeps {
  /** Last-known-good bucket policies, kept in the audit table. */
  readonly baselines: BaselineStore;
  readonly clock: Clock;
}

/** Account settings show after a delay: read back up to three times, a second apart. */
const ACCOUNT_VERIFY_ATTEMPTS = 3;

/** Baselines belong to one bucket of one account in one region (bucket names are reused). */
export const baselineKeyOf = (call: Pick<ApiCall, 'accountId' | 'region'>, bucket: string) => ({
  accountId: call.accountId,
  region: call.region,
  bucket,
});

/** A bucket of the call's account and region, read and written with `clients` (fetched on first use). */
export function bucketTarget(
  deps: BucketTargetDeps,
  call: ApiCall,
  bucket: string,
  clients: () => Promise<S3Clients>,
  context: EvaluationContext,
): Target<BucketState, BucketStatePart, BucketAction> {
  return {
    resource: bucket,
    verifyAttempts: 1,
    read: async (parts) => {
      // The baseline comes from the audit table, read beside the bucket: still one round trip.
      const [state, baselinePolicy] = await Promise.all([
        clients().then((scoped) => readBucketState(scoped, bucket, call.accountId, parts)),
        parts.has('baselinePolicy') ? deps.baselines.readPolicy(baselineKeyOf(call, bucket)) : undefined,
      ]);
      return parts.has('baselinePolicy') ? { ...state, baselinePolicy: baselinePolicy ?? null } : state;
    },
    apply: async (action) => applyBucketAction(await clients(), action, call.accountId),
    describe: describeAction,
    view: (state, control) => bucketView(state, control.reads),
    settle: (before, after, evaluations) =>
      recordPolicyBaseline(deps, call, context, before, after, evaluations),
  };
}

/** The account's own S3 settings (account-level Block Public Access), through S3 Control. */
export function accountTarget(
  call: ApiCall,
  clients: () => Promise<S3Clients>,
): Target<AccountState, AccountStatePart, AccountAction> {
  return {
    resource: accountResource(call.accountId),
    verifyAttempts: ACCOUNT_VERIFY_ATTEMPTS,
    read: async (parts) => readAccountState(await clients(), call.accountId, parts),
    apply: async (action) => applyAccountAction(await clients(), action),
    describe: describeAccountAction,
    view: (state, control) => accountView(state, control.reads),
  };
}

/**
 * The last-known-good policy: whenever the policy Warden leaves in place (observed, or as read back
 * after a fix, such as the policy the TLS Deny was merged into) passes every active control that rolls a
 * policy back (public policy, foreign access), it becomes the bucket's baseline. A policy without the TLS
 * Deny still qualifies: it grants nothing it should not, and a rollback never drops a Deny anyway.
 */
async function recordPolicyBaseline(
  deps: BucketTargetDeps,
  call: ApiCall,
  context: EvaluationContext,
  before: BucketState,
  after: BucketState,
  evaluations: readonly Evaluation<BucketState, BucketStatePart, BucketAction>[],
) {
  if (before.policy === undefined) return;
  const policy = after.policy !== undefined ? after.policy : before.policy;
  const final: BucketState = { ...before, policy };
  const policyControls = evaluations
    .map((evaluation) => evaluation.control)
    .filter((control) => ROLLBACK_CONTROL_IDS.has(control.id));
  if (policyControls.some((control) => control.check(final, context))) return;
  if (before.baselinePolicy && before.baselinePolicy.policy === policy) return;
  await deps.baselines.writePolicy(baselineKeyOf(call, before.bucket), {
    policy,
    observedAt: deps.clock.now().toISOString(),
    eventId: call.eventId,
  });
}

/**
 * A bucket created or deleted under this name is not the bucket the baseline was taken from. The end is
 * dated at the event, so a baseline Warden observes on the new bucket afterwards (a policy put right after
 * creation, processed first) is not ended by a late CreateBucket.
 */
export async function endPolicyBaseline(
  deps: Pick<BucketTargetDeps, 'baselines'>,
  call: ApiCall,
  bucket: string,
) {
  const time = new Date(call.eventTime);
  await deps.baselines.endPolicy(baselineKeyOf(call, bucket), {
    // CloudTrail's eventTime in the ISO form Warden's own timestamps use, so the two compare as strings.
    observedAt: Number.isNaN(time.getTime()) ? call.eventTime : time.toISOString(),
    eventId: call.eventId,
    reason: call.eventName,
  });
}
