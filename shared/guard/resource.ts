import type { PendingFixes, RemediationJournal } from '#shared/audit/remediation-journal.ts';
import type { Control, EvaluationContext } from '#shared/controls/types.ts';
import { ResourceGoneError, WardenError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { type Evaluation, evaluateResource, statePartsFor } from './evaluate.ts';
import type { PausedFor } from './fights.ts';
import { outcomeBase, plannedActions, toOutcomes } from './outcomes.ts';
import type { Remediation } from './pipeline.ts';

/**
 * One kind of resource a control-based guard repairs (a bucket, an account's S3 settings): how to read
 * it, write it, word a write and show it. The stages below are the same for every kind.
 */
export interface Target<State, Part extends string, Action> {
  readonly resource: string;
  read(parts: ReadonlySet<Part>): Promise<State>;
  apply(action: Action): Promise<void>;
  describe(action: Action, tense: 'done' | 'proposed'): string;
  view(state: State, control: Control<State, Part, Action>): Record<string, unknown>;
  /** Read-backs before a fix is judged not to hold (settings that show after a delay need more than one). */
  readonly verifyAttempts: number;
  /** Book-keeping once the outcomes are known (e.g. the last-known-good policy). */
  settle?(
    before: State,
    after: State,
    evaluations: readonly Evaluation<State, Part, Action>[],
  ): Promise<void>;
}

export interface ResourceDeps {
  /** What each event's fixes started, so a retry after a later failure still reports the repair. */
  readonly journal: RemediationJournal;
  /** Waits between read-backs of settings that show after a delay. */
  readonly pause: (milliseconds: number) => Promise<void>;
}

const VERIFY_PAUSE_MS = 1_000;
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const gone = (reason: string): Remediation => ({ outcomes: [], skippedReason: reason });

/**
 * read (parallel, with the journal) → evaluate (pure) → journal → act → verify (read back) → outcomes
 * (pure) → settle. Retryable errors are thrown so Lambda retries; terminal ones become FAILED outcomes.
 */
export async function remediateResource<State, Part extends string, Action>(
  deps: ResourceDeps,
  call: ApiCall,
  target: Target<State, Part, Action>,
  controls: readonly Control<State, Part, Action>[],
  unpaused: EvaluationContext,
  pausedFor?: PausedFor,
): Promise<Remediation> {
  const read = await readResource(deps, call, target, controls);
  if ('remediation' in read) return read.remediation;
  const { state, pending } = read;
  const { evaluations, context } = await evaluateWithPauses(state, controls, unpaused, pausedFor);
  const toApply = evaluations.filter(isToApply);
  const beforeOf = (control: Control<State, Part, Action>) =>
    pending[control.id]?.before ?? target.view(state, control);
  if (toApply.length > 0) await journalFixes(deps, call, target, toApply, beforeOf);
  const applied = await applyFixes(target, toApply);
  if (applied.gone) return gone(`${target.resource} was deleted while Warden repaired it`);
  const fixed = toApply.filter((e) => !applied.failures.has(e.control));
  const verified = await verifyFixes(target, state, fixed, context, deps.pause);
  if ('gone' in verified) return gone(verified.gone);
  const outcomes = toOutcomes({
    resource: target.resource,
    context,
    evaluations,
    state,
    after: verified.after,
    pending,
    fixed,
    failures: applied.failures,
    ...(verified.unverified ? { unverified: verified.unverified } : {}),
    view: target.view,
    describe: target.describe,
  });
  await target.settle?.(state, verified.after, evaluations);
  return { outcomes };
}

const isToApply = (e: Evaluation<never, string, unknown>) =>
  e.finding !== undefined && e.mode === 'enforce' && plannedActions(e).length > 0;

/**
 * Evaluates; only when something is to be repaired does it ask which controls a fight paused here (one
 * read a compliant resource never pays), and evaluates again with those in detect mode. Before acting.
 */
export async function evaluateWithPauses<State, Part extends string, Action>(
  state: State,
  controls: readonly Control<State, Part, Action>[],
  context: EvaluationContext,
  pausedFor?: PausedFor,
): Promise<{ evaluations: readonly Evaluation<State, Part, Action>[]; context: EvaluationContext }> {
  const evaluations = evaluateResource(state, controls, context);
  if (!pausedFor || !evaluations.some(isToApply)) return { evaluations, context };
  const paused = await pausedFor();
  if (Object.keys(paused).length === 0) return { evaluations, context };
  const judged = { ...context, paused };
  return { evaluations: evaluateResource(state, controls, judged), context: judged };
}

/**
 * Reads the state the controls need and, beside it, the journal (on a retry it holds the fixes an earlier
 * attempt applied). A resource that is gone is skipped; one Warden may not read (an SCP) is FAILED.
 */
export async function readResource<State, Part extends string, Action>(
  deps: ResourceDeps,
  call: ApiCall,
  target: Target<State, Part, Action>,
  controls: readonly Control<State, Part, Action>[],
): Promise<{ state: State; pending: PendingFixes } | { remediation: Remediation }> {
  const [read, journal] = await Promise.allSettled([
    target.read(statePartsFor(controls)),
    deps.journal.read(target.resource, call.eventId),
  ]);
  if (read.status === 'rejected') {
    const error: unknown = read.reason;
    if (error instanceof ResourceGoneError) return { remediation: gone(error.message) };
    if (!(error instanceof WardenError) || error.retryable) throw error;
    // Retrying cannot help; people must know the resource is unchecked.
    const reason = `Warden could not read ${target.resource}, so it could not check it: ${error.message}`;
    const outcomes = controls.map((control) => ({
      ...outcomeBase(control, target.resource),
      status: 'FAILED' as const,
      reason,
      actions: [],
    }));
    return { remediation: { outcomes } };
  }
  if (journal.status === 'rejected') throw journal.reason;
  return { state: read.value, pending: journal.value ?? {} };
}

/**
 * Journals the fixes before any is sent (one write, only when there is something to fix): if this write
 * fails, nothing has changed yet and Lambda's retry starts clean.
 */
export async function journalFixes<State, Part extends string, Action>(
  deps: ResourceDeps,
  call: ApiCall,
  target: Target<State, Part, Action>,
  toApply: readonly Evaluation<State, Part, Action>[],
  beforeOf: (control: Control<State, Part, Action>) => unknown,
): Promise<void> {
  const fixes: PendingFixes = Object.fromEntries(
    toApply.map((evaluation) => [
      evaluation.control.id,
      {
        before: beforeOf(evaluation.control),
        reason: evaluation.finding?.summary ?? '',
        actions: plannedActions(evaluation).map((action) => target.describe(action, 'done')),
      },
    ]),
  );
  await deps.journal.write(target.resource, call.eventId, fixes);
}

/**
 * Applies each plan's actions in order, the controls in parallel; an action planned by several controls
 * runs once. A retryable failure is thrown; the rest are reported per control.
 */
export async function applyFixes<State, Part extends string, Action>(
  target: Target<State, Part, Action>,
  toApply: readonly Evaluation<State, Part, Action>[],
): Promise<{ gone: boolean; failures: Map<Control<State, Part, Action>, string> }> {
  const started = new Map<string, Promise<void>>();
  const applyOnce = (action: Action): Promise<void> => {
    const key = JSON.stringify(action);
    const running = started.get(key) ?? target.apply(action);
    started.set(key, running);
    return running;
  };
  const applied = await Promise.allSettled(
    toApply.map(async (evaluation) => {
      for (const action of plannedActions(evaluation)) await applyOnce(action);
    }),
  );
  const rejected = applied.flatMap((result, index) =>
    result.status === 'rejected' ? [{ reason: result.reason as unknown, evaluation: toApply[index] }] : [],
  );
  const retryable = rejected.find(({ reason }) => reason instanceof WardenError && reason.retryable);
  if (retryable) throw retryable.reason;
  const failures = new Map<Control<State, Part, Action>, string>();
  for (const { reason, evaluation } of rejected)
    if (evaluation) failures.set(evaluation.control, errorMessage(reason));
  return { gone: rejected.some(({ reason }) => reason instanceof ResourceGoneError), failures };
}

/**
 * Reads back what was written (again after a pause while a fix does not show yet) and returns the state
 * Warden leaves: the state found with the read-back merged in. A denied read-back is reported, not retried.
 */
export async function verifyFixes<State, Part extends string, Action>(
  target: Target<State, Part, Action>,
  state: State,
  fixed: readonly Evaluation<State, Part, Action>[],
  context: EvaluationContext,
  pause: (milliseconds: number) => Promise<void>,
): Promise<{ after: State; unverified?: string } | { gone: string }> {
  if (fixed.length === 0) return { after: state };
  const parts = statePartsFor(fixed.map((evaluation) => evaluation.control));
  let after = state;
  try {
    for (let attempt = 1; ; attempt++) {
      after = { ...state, ...(await target.read(parts)) };
      const holds = fixed.every((evaluation) => !evaluation.control.check(after, context));
      if (holds || attempt >= target.verifyAttempts) return { after };
      await pause(VERIFY_PAUSE_MS);
    }
  } catch (error) {
    if (error instanceof ResourceGoneError) return { gone: error.message };
    // E.g. an SCP denying the read: the fix was sent, but nobody can say it holds.
    if (!(error instanceof WardenError) || error.retryable) throw error;
    return { after: state, unverified: error.message };
  }
}
