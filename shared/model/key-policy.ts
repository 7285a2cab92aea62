import { isFixedValue, MATCHING_STRING_OPERATORS, operatorProblem, sameKey } from './policy/conditions.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
  serializePolicy,
  withoutStatements,
} from './policy/policy-document.ts';
import { accountOfArn, accountOfPrincipal, isOpenPrincipal } from './policy/principals.ts';

/**
 * Which statements of a KMS key policy let someone outside the account use or manage the key: an Allow
 * to a wildcard principal that no condition pins to trusted accounts, an Allow to an AWS principal of
 * another account, or an Allow with NotPrincipal (everyone but the named ones). Service principals are
 * left alone: AWS services act for the key's own account and key policies name them routinely.
 */

/** The accounts and organizations a key may be used from, besides its own account. */
export interface KeyTrust {
  readonly accountId: string;
  readonly allowedAccountIds: readonly string[];
  readonly allowedOrganizationIds: readonly string[];
}

export interface OutsideGrant {
  readonly index: number;
  readonly sid?: string;
  readonly why: string;
}

/** Condition keys that name the calling account (or an identity in it). */
const ACCOUNT_KEYS = ['kms:CallerAccount', 'aws:PrincipalAccount', 'aws:SourceAccount'];
const ARN_KEYS = ['aws:PrincipalArn', 'aws:SourceArn'];
const ORGANIZATION_KEY = 'aws:PrincipalOrgID';

/** Whether one clause confines the caller to trusted accounts or organizations. */
function pinsToTrusted(statement: PolicyStatement, trust: KeyTrust): boolean {
  const accounts = new Set([trust.accountId, ...trust.allowedAccountIds]);
  return statement.conditions.some((clause) => {
    if (operatorProblem(clause, MATCHING_STRING_OPERATORS)) return false;
    if (!clause.values.every(isFixedValue)) return false;
    if (ACCOUNT_KEYS.some((key) => sameKey(key, clause.key)))
      return clause.values.every((value) => accounts.has(value));
    if (ARN_KEYS.some((key) => sameKey(key, clause.key)))
      return clause.values.every((value) => accounts.has(accountOfArn(value) ?? ''));
    if (sameKey(ORGANIZATION_KEY, clause.key))
      return clause.values.every((value) => trust.allowedOrganizationIds.includes(value));
    return false;
  });
}

function outsideReason(statement: PolicyStatement, trust: KeyTrust): string | undefined {
  if (statement.effect !== 'Allow') return undefined;
  if (statement.notPrincipals.length > 0)
    return 'allows everyone except the listed principals (NotPrincipal)';
  const aws = statement.principals.filter((principal) => principal.type === 'AWS');
  if (aws.some(isOpenPrincipal) && !pinsToTrusted(statement, trust))
    return 'allows any principal ("*") with no condition pinning the caller to this account';
  const foreign = aws
    .map(accountOfPrincipal)
    .filter(
      (account): account is string =>
        account !== undefined && account !== trust.accountId && !trust.allowedAccountIds.includes(account),
    );
  if (foreign.length > 0 && !pinsToTrusted(statement, trust))
    return `allows account(s) ${[...new Set(foreign)].join(', ')}, outside this account`;
  return undefined;
}

/** The statements granting use outside the account; throws InvalidPolicyError on a malformed policy. */
export function findOutsideGrants(policy: string, trust: KeyTrust): readonly OutsideGrant[] {
  return normalisePolicy(policy).statements.flatMap((statement) => {
    const why = outsideReason(statement, trust);
    return why ? [{ index: statement.index, ...(statement.sid ? { sid: statement.sid } : {}), why }] : [];
  });
}

/** Like findOutsideGrants, but a policy Warden cannot parse grants nothing it can name: undefined. */
export function outsideGrantsOf(policy: string, trust: KeyTrust): readonly OutsideGrant[] | undefined {
  try {
    return findOutsideGrants(policy, trust);
  } catch {
    return undefined;
  }
}

/** The policy without the given statements, or undefined when nothing would be left (KMS refuses that). */
export function withoutGrants(policy: string, grants: readonly OutsideGrant[]): string | undefined {
  const document: PolicyDocument = normalisePolicy(policy);
  const stripped = withoutStatements(document, new Set(grants.map((grant) => grant.index)));
  return stripped.statements.length > 0 ? serializePolicy(stripped) : undefined;
}

export const describeGrant = (grant: OutsideGrant): string =>
  `statement ${grant.sid ? `"${grant.sid}"` : `#${grant.index + 1}`} ${grant.why}`;
