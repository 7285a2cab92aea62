import type { ControlId, Severity } from '#shared/contracts/controls.ts';
import type { RootActivity, RootActivityKind } from '#shared/model/root-activity.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** What Warden knows besides the event when it judges a root activity. */
export interface RootContext {
  readonly deployment: Pick<Policy['deployment'], 'mode' | 'managementAccountId'>;
}

/** How a root finding is repaired: by Warden through centralised root access, or by a person. */
export type RootRemedy =
  | { readonly type: 'DeleteRootAccessKey'; readonly accountId: string; readonly accessKeyId: string }
  | { readonly type: 'Manual'; readonly why: string; readonly steps: readonly string[] };

/** A root activity judged by a control. Root use is itself the violation, so there is no "compliant". */
export interface RootFinding {
  readonly controlId: ControlId;
  /** The root user's ARN. */
  readonly resource: string;
  readonly severity: Severity;
  /** One sentence a person understands: what happened. */
  readonly summary: string;
  /** Compliance ids that apply to this finding on top of the control's own (e.g. root MFA when absent). */
  readonly extraCompliance: readonly string[];
  readonly remedy: RootRemedy;
}

/** A root-credential control: metadata apart from one pure judgement per activity. */
export interface RootControl {
  readonly id: ControlId;
  readonly title: string;
  /** The worst severity the control reports. */
  readonly severity: Severity;
  readonly compliance: readonly string[];
  /** The activity this control judges, and the CloudTrail calls it comes from. */
  readonly activity: RootActivityKind;
  readonly trigger: { readonly eventSource: string; readonly eventNames: readonly string[] };
  readonly defaultMode: 'enforce' | 'detect';
  /** Pure; undefined when the activity is not this control's kind. */
  assess(activity: RootActivity, context: RootContext): RootFinding | undefined;
}
