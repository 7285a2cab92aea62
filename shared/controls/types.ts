import type { Policy } from '#shared/policy/schema.ts';
import type { BucketAction } from '#shared/s3/bucket-actions.ts';
import type { BucketState, BucketStatePart } from '#shared/s3/bucket-state.ts';
import type { ControlId } from './control-ids.ts';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

/** What Warden knows besides the live state when it judges a bucket. */
export interface EvaluationContext {
  readonly policy: Policy;
  /** Warden's own customer-managed key, always approved. */
  readonly wardenKmsKeyArn: string;
  /** The account that owns the bucket (the event's recipient account). */
  readonly accountId: string;
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

/** A control checks bucket state against the policy and plans the fix, both pure. */
export interface BucketControl {
  readonly id: ControlId;
  readonly title: string;
  readonly severity: Severity;
  /** Security Hub / CIS controls this one covers. */
  readonly compliance: readonly string[];
  /** CloudTrail event names that trigger this control. */
  readonly triggers: readonly string[];
  /** Parts of the bucket state the check reads (the reader fetches only these). */
  readonly reads: readonly BucketStatePart[];
  readonly defaultMode: 'enforce' | 'detect';
  check(state: BucketState, context: EvaluationContext): Finding | undefined;
  fix(finding: Finding, state: BucketState, context: EvaluationContext): FixPlan;
}

/** The writes that repair a finding, or why repairing it now would be unsafe. */
export type FixPlan = { readonly actions: readonly BucketAction[] } | { readonly blocked: string };
