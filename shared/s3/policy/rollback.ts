import { isDeepStrictEqual } from 'node:util';
import { InvalidPolicyError } from './errors.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
  serializePolicy,
  withoutStatements,
} from './policy-document.ts';
import { analyzePolicy } from './public-policy.ts';

/** What to write back after a risky policy change, with one sentence for the alert and the audit record. */
export type PolicyRollbackPlan =
  | { readonly kind: 'restore'; readonly policy: string; readonly why: string }
  | {
      readonly kind: 'strip';
      readonly policy: string;
      readonly removed: readonly PolicyStatement[];
      readonly why: string;
    }
  | { readonly kind: 'delete'; readonly removed: readonly PolicyStatement[]; readonly why: string };

export interface PolicyRollbackInput {
  readonly current: PolicyDocument;
  /** Warden's copy of the bucket's last compliant policy, exactly as it was read. */
  readonly lastKnownGood?: string;
  /** Indexes (PolicyStatement.index) of the public or foreign statements in `current`. */
  readonly offendingStatementIndexes: readonly number[];
}

/**
 * Why the last-known-good copy must not be restored, or undefined when it is safe: it must parse, must
 * not be public, and must not carry any statement now judged offending.
 */
function baselineProblem(lastKnownGood: string, offending: readonly PolicyStatement[]): string | undefined {
  let baseline: PolicyDocument;
  try {
    baseline = normalisePolicy(lastKnownGood);
  } catch (error) {
    if (error instanceof InvalidPolicyError) return 'the last-known-good policy is unreadable';
    throw error;
  }
  if (analyzePolicy(baseline).public) return 'the last-known-good policy is itself public';
  const repeats = baseline.statements.some((kept) =>
    offending.some((bad) => isDeepStrictEqual(kept.raw, bad.raw)),
  );
  return repeats ? 'the last-known-good policy contains an offending statement' : undefined;
}

function describeRemoved(removed: readonly PolicyStatement[]): string {
  const names = removed.map((statement) => statement.sid ?? `#${statement.index}`).join(', ');
  return `${removed.length} offending statement${removed.length === 1 ? '' : 's'} (${names})`;
}

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
      why: `${because}; deleted the policy, which held only ${describeRemoved(removed)}`,
    };
  }
  return {
    kind: 'strip',
    policy: serializePolicy(remaining),
    removed,
    why: `${because}; removed ${describeRemoved(removed)}`,
  };
}

/**
 * Restore the last-known-good policy when Warden has a safe one; otherwise remove only the offending
 * statements, so legitimate statements survive untouched; delete the policy when nothing is left.
 */
export function planPolicyRollback(input: PolicyRollbackInput): PolicyRollbackPlan {
  const indexes = new Set(input.offendingStatementIndexes);
  const removed = input.current.statements.filter((statement) => indexes.has(statement.index));
  if (input.lastKnownGood === undefined)
    return stripOffending(input.current, removed, 'no last-known-good policy');
  const problem = baselineProblem(input.lastKnownGood, removed);
  if (problem) return stripOffending(input.current, removed, problem);
  return { kind: 'restore', policy: input.lastKnownGood, why: 'restored the last-known-good policy' };
}
