import type { ControlId, ControlMode } from '#shared/contracts/controls.ts';
import type { Control, EvaluationContext, Finding, FixPlan } from '#shared/controls/types.ts';
import { isSweepCall } from '#shared/events/sweep-call.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** Any control, whatever resource it judges; the helpers below need only these members. */
type AnyControl = Pick<Control<never, string, unknown>, 'id' | 'defaultMode' | 'triggers' | 'reads'>;

export function modeOf(control: Pick<AnyControl, 'id' | 'defaultMode'>, policy: Policy): ControlMode {
  return policy.controls[control.id as ControlId]?.mode ?? control.defaultMode;
}

/**
 * Controls an event triggers and the policy does not switch off. A sweep judges the resource as a whole:
 * every control the policy does not switch off.
 */
export function controlsFor<C extends AnyControl>(
  eventName: string,
  controls: readonly C[],
  policy: Policy,
): readonly C[] {
  const sweep = isSweepCall({ eventName });
  return controls.filter(
    (control) => (sweep || control.triggers.includes(eventName)) && modeOf(control, policy) !== 'off',
  );
}

export function statePartsFor<Part extends string>(
  controls: readonly { readonly reads: readonly Part[] }[],
): ReadonlySet<Part> {
  return new Set(controls.flatMap((control) => control.reads));
}

/** One control's verdict on the live state, and what to do about it. */
export interface Evaluation<State = unknown, Part extends string = string, Action = unknown> {
  readonly control: Control<State, Part, Action>;
  readonly mode: ControlMode;
  readonly finding?: Finding;
  readonly plan?: FixPlan<Action>;
  /** Why enforcement is paused on this resource (a fight's cool-down): the control runs as in detect mode. */
  readonly pausedBecause?: string;
}

/** Pure: state + policy -> findings and planned fixes. */
export function evaluateResource<State, Part extends string, Action>(
  state: State,
  controls: readonly Control<State, Part, Action>[],
  context: EvaluationContext,
): readonly Evaluation<State, Part, Action>[] {
  return controls.map((control) => {
    const configured = modeOf(control, context.policy);
    const pausedBecause = configured === 'enforce' ? context.paused?.[control.id] : undefined;
    const mode = pausedBecause ? 'detect' : configured;
    const paused = pausedBecause ? { pausedBecause } : {};
    const finding = control.check(state, context);
    if (!finding) return { control, mode, ...paused };
    return { control, mode, ...paused, finding, plan: control.fix(finding, state, context) };
  });
}
