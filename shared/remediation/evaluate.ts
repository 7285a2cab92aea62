import type { ControlId } from '#shared/controls/control-ids.ts';
import type { BucketControl, EvaluationContext, Finding, FixPlan } from '#shared/controls/types.ts';
import type { ControlMode, Policy } from '#shared/policy/schema.ts';
import type { BucketState, BucketStatePart } from '#shared/s3/bucket-state.ts';

export function modeOf(control: BucketControl, policy: Policy): ControlMode {
  return policy.controls[control.id as ControlId]?.mode ?? control.defaultMode;
}

/** Controls an event triggers and the policy does not switch off. */
export function controlsFor(
  eventName: string,
  controls: readonly BucketControl[],
  policy: Policy,
): readonly BucketControl[] {
  return controls.filter(
    (control) => control.triggers.includes(eventName) && modeOf(control, policy) !== 'off',
  );
}

export function statePartsFor(controls: readonly BucketControl[]): ReadonlySet<BucketStatePart> {
  return new Set(controls.flatMap((control) => control.reads));
}

/** One control's verdict on the live state, and what to do about it. */
export interface Evaluation {
  readonly control: BucketControl;
  readonly mode: ControlMode;
  readonly finding?: Finding;
  readonly plan?: FixPlan;
}

/** Pure: state + policy -> findings and planned fixes. */
export function evaluateBucket(
  state: BucketState,
  controls: readonly BucketControl[],
  context: EvaluationContext,
): readonly Evaluation[] {
  return controls.map((control) => {
    const mode = modeOf(control, context.policy);
    const finding = control.check(state, context);
    if (!finding) return { control, mode };
    return { control, mode, finding, plan: control.fix(finding, state, context) };
  });
}
