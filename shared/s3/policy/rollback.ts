import { InvalidPolicyError } from './errors.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
  type Principal,
  serializePolicy,
  withoutStatements,
} from './policy-document.ts';
import { analyzePolicy } from './public-policy.ts';

/** What to write back after a risky policy change, with one sentence for the alert and the audit record. */
export type PolicyRollbackPlan =
  | { readonly kind: 'restore'; readonly policy: string; readonly why: string }
  /** The last-known-good state was "no bucket policy", and the new policy held nothing but offending statements. */
  | { readonly kind: 'restore-no-policy'; readonly removed: readonly PolicyStatement[]; readonly why: string }
  | {
      readonly kind: 'strip';
      readonly policy: string;
      readonly removed: readonly PolicyStatement[];
      readonly why: string;
    }
  | { readonly kind: 'delete'; readonly removed: readonly PolicyStatement[]; readonly why: string };

export interface PolicyRollbackInput {
  readonly current: PolicyDocument;
  /**
   * Warden's copy of the bucket's last compliant policy, exactly as it was read; null when the good
   * state was "no bucket policy"; absent when Warden has no last-known-good state.
   */
  readonly lastKnownGood?: string | null;
  /** Indexes (PolicyStatement.index) of the public or foreign statements in `current`. */
  readonly offendingStatementIndexes: readonly number[];
}

const sortedSet = (values: readonly string[]): string[] => [...new Set(values)].sort();
const principalKeys = (principals: readonly Principal[]): string[] =>
  sortedSet(principals.map((principal) => `${principal.type}:${principal.id}`));

/**
 * A statement's meaning as one string, so two statements compare structurally whatever their encoding:
 * key order, `"*"` vs `{"AWS": "*"}`, a string vs a one-element list, list order and the case of action
 * names and condition keys (both case-insensitive in IAM) do not matter; the Sid does.
 */
function statementKey(statement: PolicyStatement): string {
  return JSON.stringify([
    statement.sid ?? null,
    statement.effect,
    principalKeys(statement.principals),
    principalKeys(statement.notPrincipals),
    sortedSet(statement.actions.map((action) => action.toLowerCase())),
    sortedSet(statement.notActions.map((action) => action.toLowerCase())),
    sortedSet(statement.resources),
    sortedSet(statement.notResources),
    sortedSet(
      statement.conditions.map((clause) =>
        JSON.stringify([clause.operator, clause.key.toLowerCase(), sortedSet(clause.values)]),
      ),
    ),
  ]);
}

type BaselineReading =
  | { readonly usable: true; readonly statements: readonly PolicyStatement[] }
  | { readonly usable: false; readonly problem: string };

/**
 * The last-known-good copy's statements, or why it must not be restored: it must parse, must not be
 * public, and must not carry any statement now judged offending.
 */
function readBaseline(lastKnownGood: string | null, offending: readonly PolicyStatement[]): BaselineReading {
  if (lastKnownGood === null) return { usable: true, statements: [] };
  let baseline: PolicyDocument;
  try {
    baseline = normalisePolicy(lastKnownGood);
  } catch (error) {
    if (error instanceof InvalidPolicyError)
      return { usable: false, problem: 'the last-known-good policy is unreadable' };
    throw error;
  }
  if (analyzePolicy(baseline).public)
    return { usable: false, problem: 'the last-known-good policy is itself public' };
  const keys = new Set(baseline.statements.map(statementKey));
  if (offending.some((bad) => keys.has(statementKey(bad))))
    return { usable: false, problem: 'the last-known-good policy contains an offending statement' };
  return { usable: true, statements: baseline.statements };
}

const names = (statements: readonly PolicyStatement[]): string =>
  statements.map((statement) => statement.sid ?? `#${statement.index}`).join(', ');

const counted = (statements: readonly PolicyStatement[], adjective: string): string =>
  `${statements.length} ${adjective} statement${statements.length === 1 ? '' : 's'} (${names(statements)})`;

function stripOffending(
  current: PolicyDocument,
  removed: readonly PolicyStatement[],
  because: string,
): PolicyRollbackPlan {
  const remaining = withoutStatements(current, new Set(removed.map((statement) => statement.index)));
  if (remaining.statements.length === 0) {
    return {
      kind: 'delete',
      removed,
      why: `${because}; deleted the policy, which held only ${counted(removed, 'offending')}`,
    };
  }
  return {
    kind: 'strip',
    policy: serializePolicy(remaining),
    removed,
    why: `${because}; removed ${counted(removed, 'offending')}`,
  };
}

/**
 * Restore the last-known-good state only when it is safe and already holds every legitimate statement of
 * the current policy, so restoring drops nothing but the offending statements. Otherwise remove only the
 * offending statements, so legitimate statements survive untouched; delete the policy when nothing is left.
 */
export function planPolicyRollback(input: PolicyRollbackInput): PolicyRollbackPlan {
  const indexes = new Set(input.offendingStatementIndexes);
  const removed = input.current.statements.filter((statement) => indexes.has(statement.index));
  if (input.lastKnownGood === undefined)
    return stripOffending(input.current, removed, 'no last-known-good policy');
  const baseline = readBaseline(input.lastKnownGood, removed);
  if (!baseline.usable) return stripOffending(input.current, removed, baseline.problem);
  const baselineKeys = new Set(baseline.statements.map(statementKey));
  const kept = input.current.statements.filter((statement) => !indexes.has(statement.index));
  const added = kept.filter((statement) => !baselineKeys.has(statementKey(statement)));
  if (added.length > 0) {
    const state = input.lastKnownGood === null ? 'state (no bucket policy)' : 'policy';
    return stripOffending(
      input.current,
      removed,
      `the last-known-good ${state} lacks ${counted(added, 'legitimate')} of the new policy`,
    );
  }
  if (input.lastKnownGood === null) {
    return {
      kind: 'restore-no-policy',
      removed,
      why: 'restored the last-known-good state, no bucket policy',
    };
  }
  const keptKeys = new Set(kept.map(statementKey));
  const reinstated = baseline.statements.filter((statement) => !keptKeys.has(statementKey(statement)));
  return {
    kind: 'restore',
    policy: input.lastKnownGood,
    why: `restored the last-known-good policy${reinstated.length > 0 ? `, which brings back ${counted(reinstated, 'earlier')}` : ''}`,
  };
}
