import type { PendingFixes } from '#shared/audit/remediation-journal.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { Control, EvaluationContext } from '#shared/controls/types.ts';
import type { Evaluation } from './evaluate.ts';

type AnyControl<State> = Control<State, string, unknown>;

/** Everything the outcome of each control depends on once the pipeline has acted and read back. */
export interface OutcomeInput<State, Part extends string, Action> {
  readonly resource: string;
  readonly context: EvaluationContext;
  readonly evaluations: readonly Evaluation<State, Part, Action>[];
  /** The state Warden found. */
  readonly state: State;
  /** The state Warden leaves: `state` with the read-back of what it wrote merged in. */
  readonly after: State;
  /** What an earlier attempt at this event applied (the journal), by control id. */
  readonly pending: PendingFixes;
  /** The evaluations whose fixes were applied without error. */
  readonly fixed: readonly Evaluation<State, Part, Action>[];
  /** Why a control's fix failed, by control. */
  readonly failures: ReadonlyMap<Control<State, Part, Action>, string>;
  /** Why the read-back failed (e.g. an SCP), when it did: then nobody can say a fix holds. */
  readonly unverified?: string;
  view(state: State, control: Control<State, Part, Action>): Record<string, unknown>;
  describe(action: Action, tense: 'done' | 'proposed'): string;
}

export function outcomeBase(
  control: Pick<AnyControl<never>, 'id' | 'title' | 'severity' | 'compliance'>,
  resource: string,
): Omit<ControlOutcome, 'status' | 'reason' | 'actions'> {
  return {
    controlId: control.id,
    title: control.title,
    severity: control.severity,
    compliance: control.compliance,
    resource,
  };
}

export function plannedActions<Action>(evaluation: Evaluation<unknown, string, Action>): readonly Action[] {
  return evaluation.plan && 'actions' in evaluation.plan ? evaluation.plan.actions : [];
}

/**
 * Pure: one outcome per evaluated control, each judged on the state Warden leaves. A control another
 * control's fix resolved is REMEDIATED by that fix; one a fix broke is never called compliant.
 */
export function toOutcomes<State, Part extends string, Action>(
  input: OutcomeInput<State, Part, Action>,
): ControlOutcome[] {
  const fixedBy = input.fixed.map((evaluation) => evaluation.control.id);
  return input.evaluations.map((evaluation) => {
    const { control } = evaluation;
    const others = fixedBy.filter((id) => id !== control.id).join(', ') || 'another control';
    const left = control.check(input.after, input.context);
    return evaluation.finding
      ? violatedOutcome(input, evaluation, left, others)
      : compliantOutcome(input, evaluation, left, others);
  });
}

/** A control that found nothing wrong (or whose fix an earlier attempt at this event already made). */
function compliantOutcome<State, Part extends string, Action>(
  input: OutcomeInput<State, Part, Action>,
  evaluation: Evaluation<State, Part, Action>,
  left: ReturnType<Control<State, Part, Action>['check']>,
  others: string,
): ControlOutcome {
  const { control } = evaluation;
  const base = outcomeBase(control, input.resource);
  const started = input.pending[control.id];
  if (started)
    // An earlier attempt at this event applied the fix, then failed later: this is its read-back.
    return {
      ...base,
      status: 'REMEDIATED',
      reason: started.reason,
      actions: started.actions,
      before: started.before,
      after: input.view(input.state, control),
    };
  if (!left) return { ...base, status: 'ALREADY_COMPLIANT', reason: 'Compliant.', actions: [] };
  return {
    ...base,
    status: evaluation.mode === 'detect' ? 'DETECTED' : 'FAILED',
    reason: `${left.summary} (after Warden's fix for ${others}; this control was compliant before it)`,
    actions: [],
    before: input.view(input.state, control),
    after: input.view(input.after, control),
  };
}

/** A control that found a violation: repaired, resolved by another fix, detected, blocked or failed. */
function violatedOutcome<State, Part extends string, Action>(
  input: OutcomeInput<State, Part, Action>,
  evaluation: Evaluation<State, Part, Action>,
  left: ReturnType<Control<State, Part, Action>['check']>,
  others: string,
): ControlOutcome {
  const { control, plan } = evaluation;
  const summary = evaluation.finding?.summary ?? '';
  const before = input.pending[control.id]?.before ?? input.view(input.state, control);
  const judged = { ...outcomeBase(control, input.resource), before };
  const after = { after: input.view(input.after, control) };
  if (!input.fixed.includes(evaluation) && !left && input.unverified === undefined)
    return {
      ...judged,
      ...after,
      status: 'REMEDIATED',
      reason: `${summary} Resolved by Warden's fix for ${others}.`,
      actions: [],
    };
  if (evaluation.mode === 'detect')
    return {
      ...judged,
      status: 'DETECTED',
      reason: `${summary} (${evaluation.pausedBecause ?? 'detect mode: Warden changed nothing'})`,
      actions: plannedActions(evaluation).map((action) => input.describe(action, 'proposed')),
    };
  const actions = plannedActions(evaluation).map((action) => input.describe(action, 'done'));
  if (plan && 'blocked' in plan)
    return { ...judged, status: 'FAILED', reason: `${summary} ${plan.blocked}`, actions: [] };
  const failure = input.failures.get(control);
  if (failure)
    return { ...judged, status: 'FAILED', reason: `${summary} The fix failed: ${failure}`, actions };
  if (input.unverified)
    return {
      ...judged,
      status: 'FAILED',
      reason: `${summary} The fix was sent, but Warden could not read it back to verify it: ${input.unverified}`,
      actions,
    };
  if (left)
    return {
      ...judged,
      ...after,
      status: 'FAILED',
      reason: `${summary} Read-back after the fix: ${left.summary}`,
      actions,
    };
  return { ...judged, ...after, status: 'REMEDIATED', reason: summary, actions };
}
