import { isFixedValue, MATCHING_STRING_OPERATORS, operatorProblem, sameKey } from './conditions.ts';
import type { ConditionClause, PolicyDocument, PolicyStatement, Principal } from './policy-document.ts';
import { accountOfArn, accountOfPrincipal, describePrincipals, isOpenPrincipal } from './principals.ts';

/** Who may be granted access: the bucket owner's account plus the accounts and organizations the policy file lists. */
export interface TrustBoundary {
  readonly ownerAccountId: string;
  readonly allowedAccountIds: readonly string[];
  readonly allowedOrgIds: readonly string[];
}

export interface ForeignStatement {
  readonly index: number;
  readonly sid?: string;
  /** The principals outside the boundary, as written (for NotPrincipal: the excluded ones). */
  readonly foreignPrincipals: readonly Principal[];
  readonly reason: string;
}

/** Condition keys whose fixed values confine an open principal to callers inside the boundary. */
const BOUNDARY_KEYS: readonly {
  name: string;
  trusted: (value: string, boundary: TrustBoundary) => boolean;
}[] = [
  {
    name: 'aws:PrincipalOrgID',
    trusted: (value, boundary) =>
      boundary.allowedOrgIds.some((org) => org.toLowerCase() === value.toLowerCase()),
  },
  { name: 'aws:PrincipalAccount', trusted: (value, boundary) => isTrustedAccount(value, boundary) },
  { name: 'aws:SourceAccount', trusted: (value, boundary) => isTrustedAccount(value, boundary) },
  { name: 'aws:SourceOwner', trusted: (value, boundary) => isTrustedAccount(value, boundary) },
  {
    name: 'aws:PrincipalArn',
    trusted: (value, boundary) => isTrustedAccount(accountOfArn(value), boundary),
  },
];

function isTrustedAccount(accountId: string | undefined, boundary: TrustBoundary): boolean {
  return (
    accountId !== undefined &&
    (accountId === boundary.ownerAccountId || boundary.allowedAccountIds.includes(accountId))
  );
}

/** A clause that requires every caller to carry a fixed, trusted value (same operator rules as "public"). */
function confinesToBoundary(clause: ConditionClause, boundary: TrustBoundary): boolean {
  const key = BOUNDARY_KEYS.find((candidate) => sameKey(candidate.name, clause.key));
  if (!key || operatorProblem(clause, MATCHING_STRING_OPERATORS) !== undefined) return false;
  return clause.values.every((value) => isFixedValue(value) && key.trusted(value, boundary));
}

/**
 * Principals outside the boundary. Service principals act for the bucket owner and are never foreign.
 * A canonical user id names no account Warden can read without an AWS call (a CloudFront origin access
 * identity is one), so it is not reported. An AWS principal whose account cannot be read from its spelling
 * (a unique id left behind by a deleted identity) is reported.
 */
function foreignPrincipalsOf(statement: PolicyStatement, boundary: TrustBoundary): readonly Principal[] {
  if (statement.notPrincipals.length > 0) return statement.notPrincipals;
  return statement.principals.filter((principal) => {
    if (isOpenPrincipal(principal)) return true;
    if (principal.type !== 'AWS' && principal.type !== 'Federated') return false;
    return !isTrustedAccount(accountOfPrincipal(principal), boundary);
  });
}

function describeForeign(statement: PolicyStatement, foreign: readonly Principal[]): string {
  if (statement.notPrincipals.length > 0) {
    return `NotPrincipal grants everyone except ${describePrincipals(foreign)}`;
  }
  const open = foreign.some(isOpenPrincipal);
  return open
    ? `Allow to ${describePrincipals(foreign)} not confined to an allowed account or organization`
    : `Allow to principals outside the allowed accounts: ${describePrincipals(foreign)}`;
}

/** Allow statements that grant access to principals outside the trust boundary. */
export function findForeignStatements(
  document: PolicyDocument,
  boundary: TrustBoundary,
): readonly ForeignStatement[] {
  return document.statements.flatMap((statement) => {
    if (statement.effect === 'Deny') return [];
    const foreign = foreignPrincipalsOf(statement, boundary);
    if (foreign.length === 0) return [];
    if (statement.conditions.some((clause) => confinesToBoundary(clause, boundary))) return [];
    return [
      {
        index: statement.index,
        ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
        foreignPrincipals: foreign,
        reason: describeForeign(statement, foreign),
      },
    ];
  });
}
