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
import { type PolicyRollbackPlan, planPolicyRollback } from '#shared/model/policy/rollback.ts';
import {
  enforcesSecureTransport,
  MAX_BUCKET_POLICY_BYTES,
  secureTransportCoverage,
  withSecureTransportDeny,
} from '#shared/model/policy/secure-transport.ts';
import type { EvaluationContext, FixPlan } from './types.ts';

/**
 * Shared by the three bucket-policy controls (public policy, foreign access, secure transport). They judge
 * the same policy and each may rewrite it: each plans ONE write covering every policy control that
 * enforces (the rollback of the public and foreign statements, then the TLS Deny merged into what is
 * left), so when several fix, they plan the identical write and it is applied once.
 */

export const PUBLIC_POLICY_ID = 's3-public-policy' satisfies ControlId;
export const FOREIGN_ACCESS_ID = 's3-foreign-access' satisfies ControlId;
export const SECURE_TRANSPORT_ID = 's3-secure-transport' satisfies ControlId;
export const DEFAULT_MODES: Readonly<
  Record<'s3-public-policy' | 's3-foreign-access' | 's3-secure-transport', 'enforce' | 'detect'>
> = {
  's3-public-policy': 'enforce',
  's3-foreign-access': 'detect',
  's3-secure-transport': 'detect',
};

/**
 * The controls whose verdict makes a policy good or bad to roll back to: a policy that grants nothing it
 * should not is a last-known-good policy, with or without the TLS Deny (a rollback keeps the Deny anyway).
 */
export const ROLLBACK_CONTROL_IDS: ReadonlySet<ControlId> = new Set([PUBLIC_POLICY_ID, FOREIGN_ACCESS_ID]);

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

/** The rollback of the offending statements of `self` and of the other enforcing policy controls. */
function rollbackOf(
  reading: Extract<PolicyReading, { kind: 'read' }>,
  includes: (id: PolicyControlId) => boolean,
  state: BucketState,
): PolicyRollbackPlan | undefined {
  const offending = new Set<number>([
    ...(includes(PUBLIC_POLICY_ID) ? reading.publicStatements.map((statement) => statement.index) : []),
    ...(includes(FOREIGN_ACCESS_ID) ? reading.foreign.map((statement) => statement.index) : []),
  ]);
  if (offending.size === 0) return undefined;
  const baseline = state.baselinePolicy ?? undefined;
  return planPolicyRollback({
    current: reading.document,
    ...(baseline ? { lastKnownGood: baseline.policy } : {}),
    offendingStatementIndexes: [...offending].sort((a, b) => a - b),
  });
}

function rollbackWhy(plan: PolicyRollbackPlan, before: number, state: BucketState): string {
  if (plan.kind === 'delete') return `${plan.why}: ${quoteStatements(plan.removed)}`;
  const kept = before - plan.removed.length;
  const reinstated =
    plan.reinstated.length > 0
      ? ` (Deny statements from the last-known-good policy observed ${state.baselinePolicy?.observedAt ?? 'earlier'}: ${quoteStatements(plan.reinstated)})`
      : '';
  return `${plan.why}: ${quoteStatements(plan.removed)}; kept ${kept} other statement(s) unchanged${reinstated}`;
}

/** The policy a rollback leaves (the current one without a rollback); null for none. */
function policyLeft(
  reading: Exclude<PolicyReading, { kind: 'unreadable' }>,
  rollback: PolicyRollbackPlan | undefined,
): PolicyDocument | null {
  if (rollback) return rollback.kind === 'delete' ? null : normalisePolicy(rollback.policy);
  return reading.kind === 'read' ? reading.document : null;
}

/**
 * The one policy write for the bucket, as `self` plans it: the public and foreign statements removed
 * (those of `self` whatever its mode, so detect mode can show what it would do, and those of the other
 * policy controls that enforce), then the TLS Deny merged into what is left when secure transport is
 * `self` or enforces and the policy lacks it. Every other statement survives byte for byte; Deny statements
 * of the last-known-good policy that the change dropped come back (a TLS Deny among them); no Allow is ever
 * written back (shared/model/policy/rollback.ts). Deletes the policy when nothing is left. Blocked only for
 * `self` = secure transport, when the TLS Deny would take the policy over S3's 20 KB: the other controls then
 * plan their rollback alone.
 */
export function planPolicyWrite(
  self: PolicyControlId,
  state: BucketState,
  context: EvaluationContext,
): FixPlan<BucketAction> {
  const reading = readBucketPolicy(state, context);
  if (reading.kind === 'unreadable')
    return { blocked: 'The policy was left as it is: Warden never rewrites a policy it cannot read.' };
  const includes = (id: PolicyControlId) => self === id || policyControlMode(id, context) === 'enforce';
  const rollback = reading.kind === 'read' ? rollbackOf(reading, includes, state) : undefined;
  const bucket = state.bucket;
  const left = policyLeft(reading, rollback);
  const addTls =
    includes(SECURE_TRANSPORT_ID) &&
    !enforcesSecureTransport(secureTransportCoverage(left, bucket, context.region));
  const merge = addTls ? withSecureTransportDeny(left, bucket, context.region) : undefined;
  const before = reading.kind === 'read' ? reading.document.statements.length : 0;
  if (merge && merge.bytes > MAX_BUCKET_POLICY_BYTES && self === SECURE_TRANSPORT_ID)
    return {
      blocked: `The policy was left as it is: with the Deny of requests without TLS it would be ${merge.bytes} bytes, over S3's limit of ${MAX_BUCKET_POLICY_BYTES} bytes (20 KB) for a bucket policy. Shorten the policy, or add the statement by hand in place of a broader one.`,
    };
  if (merge && merge.bytes <= MAX_BUCKET_POLICY_BYTES) {
    const added =
      merge.kept === 0
        ? `wrote a policy holding only the statement "${merge.sid}" denying requests without TLS (aws:SecureTransport false) to the bucket and its objects`
        : `added the statement "${merge.sid}" denying requests without TLS (aws:SecureTransport false) to the bucket and its objects`;
    const why = rollback
      ? `${rollbackWhy(rollback, before, state)}; ${added}`
      : merge.kept === 0
        ? added
        : `${added}; kept ${merge.kept} other statement(s) unchanged`;
    return { actions: [{ type: 'PutBucketPolicy', bucket, policy: merge.policy, why }] };
  }
  if (!rollback) return { actions: [] };
  const why = rollbackWhy(rollback, before, state);
  return {
    actions: [
      rollback.kind === 'delete'
        ? { type: 'DeleteBucketPolicy', bucket, why }
        : { type: 'PutBucketPolicy', bucket, policy: rollback.policy, why },
    ],
  };
}

/** The policy actions of a control that never blocks (public policy, foreign access). */
export function planPolicyActions(
  self: PolicyControlId,
  state: BucketState,
  context: EvaluationContext,
): readonly BucketAction[] {
  const plan = planPolicyWrite(self, state, context);
  return 'actions' in plan ? plan.actions : [];
}
