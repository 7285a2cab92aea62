import type { ControlId, Severity } from '#shared/contracts/controls.ts';
import type { AccountAction, AccountState, AccountStatePart } from '#shared/model/account.ts';
import type { BucketState, BucketStatePart } from '#shared/model/bucket.ts';
import type { BucketAction } from '#shared/model/bucket-actions.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** What Warden knows besides the live state when it judges a bucket. */
export interface EvaluationContext {
  readonly policy: Policy;
  /** Warden's own customer-managed key, always approved. */
  readonly wardenKmsKeyArn: string;
  /** The account that owns the bucket (the event's recipient account). */
  readonly accountId: string;
  /** The bucket's region (the event's region): S3 can only use a KMS key of its own region. */
  readonly region: string;
  /** Controls whose enforcement a fight paused on this resource, with the reason (shared/guard/fights.ts). */
  readonly paused?: Readonly<Partial<Record<ControlId, string>>>;
}

/** A violation found by a control's pure check. */
export interface Finding {
  readonly controlId: ControlId;
  readonly resource: string;
  /** One sentence a person understands: what is wrong. */
  readonly summary: string;
  /** The observed configuration, as shown in the alert and the audit record. */
  readonly observed: unknown;
}

/**
 * A control checks one resource's live state against the policy and plans the fix, both pure.
 * `State`, `Part` and `Action` are the resource's: a bucket, or the account's S3 settings.
 */
export interface Control<State, Part extends string, Action> {
  readonly id: ControlId;
  readonly title: string;
  readonly severity: Severity;
  /** Security Hub / CIS controls this one covers. */
  readonly compliance: readonly string[];
  /** CloudTrail event names that trigger this control. */
  readonly triggers: readonly string[];
  /** Parts of the state the check reads (the reader fetches only these). */
  readonly reads: readonly Part[];
  readonly defaultMode: 'enforce' | 'detect';
  check(state: State, context: EvaluationContext): Finding | undefined;
  fix(finding: Finding, state: State, context: EvaluationContext): FixPlan<Action>;
}

/** A control over one bucket (CloudTrail `requestParameters.bucketName`). */
export type BucketControl = Control<BucketState, BucketStatePart, BucketAction>;

/** A control over the account's own S3 settings (events without a bucket, read through S3 Control). */
export type AccountControl = Control<AccountState, AccountStatePart, AccountAction>;

/**
 * The writes that repair a finding, applied in order, or why repairing it now would be unsafe.
 * Identical actions planned by several controls for one event are applied once.
 */
export type FixPlan<Action = BucketAction> =
  | { readonly actions: readonly Action[] }
  | { readonly blocked: string };
