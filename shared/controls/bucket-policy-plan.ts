import type { ControlId, ControlMode } from '#shared/contracts/controls.ts';
import type { BucketState } from '#shared/model/bucket.ts';
import type { BucketAction } from '#shared/model/bucket-actions.ts';
import { InvalidPolicyError } from '#shared/model/policy/errors.ts';
import {
  type ForeignStatement,
  findForeignStatements,
  type TrustBoundary,
} from '#shared/model/policy/foreign-access.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
} from '#shared/model/policy/policy-document.ts';
import { analyzePolicy, type PolicyVerdict } from '#shared/model/policy/public-policy.ts';
import { planPolicyRollback } from '#shared/model/policy/rollback.ts';
import type { EvaluationContext } from './types.ts';

/**
 * Shared by the two bucket-policy controls (public policy, foreign access). Both judge the same policy and
 * both may rewrite it: each plans ONE rollback over the statements of every policy control that enforces,
 * so when both fix, they plan the identical write and it is applied once.
 */

export const PUBLIC_POLICY_ID: ControlId = 's3-public-policy';
export const FOREIGN_ACCESS_ID: ControlId = 's3-foreign-access';
export const DEFAULT_MODES: Readonly<Record<'s3-public-policy' | 's3-foreign-access', 'enforce' | 'detect'>> =
  {
    's3-public-policy': 'enforce',
    's3-foreign-access': 'detect',
  };

export type PolicyControlId = keyof typeof DEFAULT_MODES;

export function policyControlMode(id: PolicyControlId, context: EvaluationContext): ControlMode {
  return context.policy.controls[id]?.mode ?? DEFAULT_MODES[id];
}

export function trustBoundaryOf(context: EvaluationContext): TrustBoundary {
  return {
    ownerAccountId: context.accountId,
    allowedAccountIds: context.policy.s3.allowedAccountIds,
    allowedOrgIds: context.policy.s3.allowedOrganizationIds,
    trustedVpcEndpointIds: context.policy.s3.trustedVpcEndpointIds,
    trustedVpcIds: context.policy.s3.trustedVpcIds,
    trustedSourceIpCidrs: context.policy.s3.trustedSourceIpCidrs,
  };
}

/** The bucket's policy, read and judged by both rules. */
export interface PolicyAnalysis {
  readonly document: PolicyDocument;
  readonly verdict: PolicyVerdict;
  readonly publicStatements: readonly PolicyStatement[];
  /** Statements granting outside the trust boundary that are not public (public ones belong to the public control). */
  readonly foreign: readonly ForeignStatement[];
}

export type PolicyReading =
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly problem: string }
  | ({ readonly kind: 'read' } & PolicyAnalysis);

export function readBucketPolicy(state: BucketState, context: EvaluationContext): PolicyReading {
  if (state.policy === undefined || state.policy === null) return { kind: 'none' };
  let document: PolicyDocument;
  try {
    document = normalisePolicy(state.policy);
  } catch (error) {
    if (error instanceof InvalidPolicyError) return { kind: 'unreadable', problem: error.message };
    throw error;
  }
  const verdict = analyzePolicy(document);
  const publicIndexes = new Set(verdict.publicStatementIndexes);
  const publicStatements = document.statements.filter((statement) => publicIndexes.has(statement.index));
  const publicHandled = policyControlMode('s3-public-policy', context) !== 'off';
  const foreign = findForeignStatements(document, trustBoundaryOf(context)).filter(
    (statement) => !(publicHandled && publicIndexes.has(statement.index)),
  );
  return { kind: 'read', document, verdict, publicStatements, foreign };
}

const MAX_QUOTE_CHARS = 300;
const MAX_QUOTED = 3;

/** Cuts at a code point boundary, never inside a surrogate pair. */
export function truncateText(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** Compact JSON of a statement or grant, truncated safely, for alert text. */
export function quote(value: unknown): string {
  return truncateText(JSON.stringify(value), MAX_QUOTE_CHARS);
}

export function nameOf(statement: { readonly sid?: string; readonly index: number }): string {
  return statement.sid !== undefined ? `"${statement.sid}"` : `#${statement.index}`;
}

/** `"PublicRead" {"Sid":...}; #2 {...}` for at most three statements. */
export function quoteStatements(statements: readonly PolicyStatement[]): string {
  const shown = statements
    .slice(0, MAX_QUOTED)
    .map((statement) => `${nameOf(statement)} ${quote(statement.raw)}`);
  const more = statements.length - MAX_QUOTED;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * The policy writes that remove the offending statements: those of `self` (whatever its mode, so detect
 * mode can show what it would do) and those of the other policy control when that one enforces. Every
 * other statement survives byte for byte; Deny statements of the last-known-good policy that the change
 * dropped come back; no Allow is ever written back (shared/model/policy/rollback.ts). Deletes the policy
 * when nothing is left.
 */
export function planPolicyActions(
  self: PolicyControlId,
  state: BucketState,
  context: EvaluationContext,
): readonly BucketAction[] {
  const reading = readBucketPolicy(state, context);
  if (reading.kind !== 'read') return [];
  const includePublic =
    self === 's3-public-policy' || policyControlMode('s3-public-policy', context) === 'enforce';
  const includeForeign =
    self === 's3-foreign-access' || policyControlMode('s3-foreign-access', context) === 'enforce';
  const offending = new Set<number>([
    ...(includePublic ? reading.publicStatements.map((statement) => statement.index) : []),
    ...(includeForeign ? reading.foreign.map((statement) => statement.index) : []),
  ]);
  if (offending.size === 0) return [];
  const baseline = state.baselinePolicy ?? undefined;
  const plan = planPolicyRollback({
    current: reading.document,
    ...(baseline ? { lastKnownGood: baseline.policy } : {}),
    offendingStatementIndexes: [...offending].sort((a, b) => a - b),
  });
  const bucket = state.bucket;
  if (plan.kind === 'delete')
    return [{ type: 'DeleteBucketPolicy', bucket, why: `${plan.why}: ${quoteStatements(plan.removed)}` }];
  const kept = reading.document.statements.length - plan.removed.length;
  const reinstated =
    plan.reinstated.length > 0
      ? ` (Deny statements from the last-known-good policy observed ${baseline?.observedAt ?? 'earlier'}: ${quoteStatements(plan.reinstated)})`
      : '';
  return [
    {
      type: 'PutBucketPolicy',
      bucket,
      policy: plan.policy,
      why: `${plan.why}: ${quoteStatements(plan.removed)}; kept ${kept} other statement(s) unchanged${reinstated}`,
    },
  ];
}
