import { InvalidPolicyError } from './errors.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
  type Principal,
  serializePolicy,
  withoutStatements,
} from './policy-document.ts';

/**
 * What to write back after a risky policy change, with one sentence for the alert and the audit record.
 * A rollback never grants: it removes the offending statements and brings back only Deny statements of the
 * last-known-good policy that the change dropped. An earlier Allow is never restored, even one the change
 * only widened: the owner may have removed it on purpose (a compromised role), and a remediator that writes
 * access back is worse than one that leaves a statement for a person to re-add.
 */
export type PolicyRollbackPlan =
  | {
      readonly kind: 'rewrite';
      readonly policy: string;
      readonly removed: readonly PolicyStatement[];
      /** Deny statements of the last-known-good policy that the change dropped, written back. */
      readonly reinstated: readonly PolicyStatement[];
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
 * key order, `"*"` vs `{"AWS": "*"}`, a string vs a one-element list, list order, the Sid and the case of
 * action names and condition keys (both case-insensitive in IAM) do not matter.
 */
function meaningOf(statement: PolicyStatement): string {
  return JSON.stringify([
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

/** The last-known-good statements the current policy lacks, or why the copy cannot be read. */
function droppedSinceBaseline(
  lastKnownGood: string | null | undefined,
  current: PolicyDocument,
): { readonly dropped: readonly PolicyStatement[]; readonly problem?: string } {
  if (lastKnownGood === undefined || lastKnownGood === null) return { dropped: [] };
  let baseline: PolicyDocument;
  try {
    baseline = normalisePolicy(lastKnownGood);
  } catch (error) {
    if (error instanceof InvalidPolicyError)
      return {
        dropped: [],
        problem: 'the last-known-good policy is unreadable, so no Deny was brought back',
      };
    throw error;
  }
  const present = new Set(current.statements.map(meaningOf));
  return { dropped: baseline.statements.filter((statement) => !present.has(meaningOf(statement))) };
}

/** S3 refuses a policy whose statement ids repeat: a reinstated Deny whose Sid is taken gets a suffix. */
function withFreeSid(statement: PolicyStatement, taken: ReadonlySet<string>): Record<string, unknown> {
  if (statement.sid === undefined || !taken.has(statement.sid)) return { ...statement.raw };
  return { ...statement.raw, Sid: `${statement.sid}RestoredByWarden` };
}

const names = (statements: readonly PolicyStatement[]): string =>
  statements.map((statement) => statement.sid ?? `#${statement.index}`).join(', ');

const counted = (statements: readonly PolicyStatement[], adjective: string): string =>
  `${statements.length} ${adjective} statement${statements.length === 1 ? '' : 's'} (${names(statements)})`;

/**
 * Removes the offending statements, keeps every other statement byte for byte, and appends the Deny
 * statements of the last-known-good policy that the change dropped; deletes the policy when nothing is left.
 * The result grants no principal anything the current policy does not already grant it.
 */
export function planPolicyRollback(input: PolicyRollbackInput): PolicyRollbackPlan {
  const indexes = new Set(input.offendingStatementIndexes);
  const removed = input.current.statements.filter((statement) => indexes.has(statement.index));
  const remaining = withoutStatements(input.current, indexes);
  const { dropped, problem } = droppedSinceBaseline(input.lastKnownGood, input.current);
  const reinstated = dropped.filter((statement) => statement.effect === 'Deny');
  const notRestored = dropped.filter((statement) => statement.effect === 'Allow');
  const notes = [
    ...(reinstated.length > 0
      ? [`brought back ${counted(reinstated, 'Deny')} of the last-known-good policy that the change dropped`]
      : []),
    ...(notRestored.length > 0
      ? [
          `did not bring back ${counted(notRestored, 'earlier Allow')} of the last-known-good policy: Warden never grants access, re-add ${notRestored.length === 1 ? 'it' : 'them'} if still wanted`,
        ]
      : []),
    ...(problem ? [problem] : []),
  ];
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  if (remaining.statements.length === 0 && reinstated.length === 0)
    return {
      kind: 'delete',
      removed,
      why: `the policy held only ${counted(removed, 'offending')}${tail}`,
    };
  const taken = new Set(remaining.statements.flatMap((statement) => statement.sid ?? []));
  const policy = serializePolicy({
    ...remaining,
    statements: [
      ...remaining.statements,
      ...reinstated.map((statement) => ({ ...statement, raw: withFreeSid(statement, taken) })),
    ],
  });
  return {
    kind: 'rewrite',
    policy,
    removed,
    reinstated,
    why: `removed ${counted(removed, 'offending')}${tail}`,
  };
}
