import { isIP } from 'node:net';
import {
  isFixedValue,
  MATCHING_IP_OPERATORS,
  MATCHING_STRING_OPERATORS,
  operatorProblem,
  sameKey,
} from './conditions.ts';
import type { ConditionClause, PolicyDocument, PolicyStatement, Principal } from './policy-document.ts';
import { describePrincipals, isOpenPrincipal } from './principals.ts';

/**
 * Whether a bucket policy is public, as the S3 User Guide defines it in "Blocking public access to
 * your Amazon S3 storage" → "The meaning of public" → "Bucket policies": a policy is public unless it
 * grants access only to fixed values (no wildcard, no policy variable) of a principal or of one of the
 * listed condition keys. Actions are not considered: the guide's rule names principals and keys only.
 */

export interface Verdict {
  readonly public: boolean;
  /** One short sentence: the documented rule that decided. */
  readonly reason: string;
}

export interface StatementVerdict extends Verdict {
  readonly index: number;
  readonly sid?: string;
}

export interface PolicyVerdict {
  /** One public statement makes the whole policy public (the guide's "Account-2" example). */
  readonly public: boolean;
  readonly statements: readonly StatementVerdict[];
  readonly publicStatementIndexes: readonly number[];
}

/** Returns why a value does not pin the key, or undefined when it does. */
type ValueRule = (value: string) => string | undefined;

export interface PinningKey {
  readonly name: string;
  readonly operators: ReadonlySet<string>;
  readonly valueProblem: ValueRule;
}

const wildcardProblem: ValueRule = (value) =>
  isFixedValue(value) ? undefined : `"${value}" contains a wildcard or policy variable`;

/**
 * "Bucket policies that grant access conditioned on the aws:SourceIp condition key with very broad IP
 * ranges (for example, 0.0.0.0/1) are evaluated as public. This includes values broader than /8 for
 * IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)." RFC1918 ranges are /8 or narrower, so the
 * exclusion never changes the answer for a range that is broader than /8.
 */
const sourceIpProblem: ValueRule = (value) => {
  const [address = '', prefixText, ...extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return `"${value}" is not an IP address or CIDR block`;
  const longest = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? longest : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > longest) return `"${value}" has an invalid prefix length`;
  const broadest = family === 4 ? 8 : 32;
  return prefix < broadest ? `"${value}" is broader than /${broadest}` : undefined;
};

/** "aws:userid, outside the pattern AROLEID:*": a role's unique id followed by `:*` (any session) counts as fixed. */
const ROLE_SESSIONS = /^AROA[A-Z0-9]+:\*$/;
const userIdProblem: ValueRule = (value) => (ROLE_SESSIONS.test(value) ? undefined : wildcardProblem(value));

/**
 * s3:DataAccessPointArn: "this value can contain a wildcard for the access point name without rendering
 * the policy public, as long as the account ID is fixed" (bucket policies only).
 */
const ACCESS_POINT_ARN = /^arn:[a-z-]+:s3:[a-z0-9-]+:\d{12}:accesspoint\/.+$/;
const accessPointArnProblem: ValueRule = (value) =>
  ACCESS_POINT_ARN.test(value) && isFixedValue(value.slice(0, value.indexOf('accesspoint/')))
    ? undefined
    : wildcardProblem(value);

const stringKey = (name: string, valueProblem: ValueRule = wildcardProblem): PinningKey => ({
  name,
  operators: MATCHING_STRING_OPERATORS,
  valueProblem,
});

/**
 * The keys the current guide lists. "An AWS principal, user, role, or service principal (e.g.
 * aws:PrincipalOrgID)" covers the principal-identity keys aws:PrincipalOrgID, aws:PrincipalAccount and
 * aws:PrincipalArn. Not listed, hence not pinning: aws:SourceOrgID, aws:PrincipalOrgPaths, and
 * s3:x-amz-server-side-encryption-aws-kms-key-id (listed by earlier editions, dropped from the current one).
 */
export const PINNING_KEYS: readonly PinningKey[] = [
  stringKey('aws:PrincipalOrgID'),
  stringKey('aws:PrincipalAccount'),
  stringKey('aws:PrincipalArn'),
  { name: 'aws:SourceIp', operators: MATCHING_IP_OPERATORS, valueProblem: sourceIpProblem },
  stringKey('aws:SourceArn'),
  stringKey('aws:SourceVpc'),
  stringKey('aws:SourceVpce'),
  stringKey('aws:SourceOwner'),
  stringKey('aws:SourceAccount'),
  stringKey('aws:userid', userIdProblem),
  stringKey('s3:DataAccessPointArn', accessPointArnProblem),
  stringKey('s3:DataAccessPointAccount'),
];

type PinResult =
  | { readonly pinned: true; readonly reason: string }
  | { readonly pinned: false; readonly why?: string };

function checkPin(clause: ConditionClause): PinResult {
  const key = PINNING_KEYS.find((candidate) => sameKey(candidate.name, clause.key));
  if (!key) return { pinned: false };
  const problem =
    operatorProblem(clause, key.operators) ??
    clause.values.map(key.valueProblem).find((found) => found !== undefined);
  if (problem) return { pinned: false, why: `${key.name}: ${problem}` };
  return { pinned: true, reason: `pinned by ${key.name} = ${clause.values.join(', ')}` };
}

function describeGrantee(statement: PolicyStatement, open: readonly Principal[]): string {
  if (statement.notPrincipals.length > 0) {
    return `NotPrincipal (everyone except ${describePrincipals(statement.notPrincipals)})`;
  }
  return `Principal ${describePrincipals(open)}`;
}

export function analyzeStatement(statement: PolicyStatement): Verdict {
  if (statement.effect === 'Deny') return { public: false, reason: 'Deny statement grants nothing' };
  // NotPrincipal with Allow grants everyone but the listed principals: as open as a wildcard.
  const open =
    statement.notPrincipals.length > 0
      ? statement.notPrincipals
      : statement.principals.filter(isOpenPrincipal);
  if (open.length === 0) {
    return { public: false, reason: `Principal is fixed (${describePrincipals(statement.principals)})` };
  }
  const checks = statement.conditions.map(checkPin);
  const pin = checks.find((check) => check.pinned);
  if (pin?.pinned) return { public: false, reason: pin.reason };
  const grantee = describeGrantee(statement, open);
  const near = checks.flatMap((check) => (!check.pinned && check.why ? [check.why] : []));
  return {
    public: true,
    reason:
      near.length > 0
        ? `Allow to ${grantee} with no pinning condition (${near.join('; ')})`
        : `Allow to ${grantee} with no restricting condition`,
  };
}

export function analyzePolicy(document: PolicyDocument): PolicyVerdict {
  const statements = document.statements.map((statement) => ({
    index: statement.index,
    ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
    ...analyzeStatement(statement),
  }));
  const publicStatementIndexes = statements
    .filter((verdict) => verdict.public)
    .map((verdict) => verdict.index);
  return { public: publicStatementIndexes.length > 0, statements, publicStatementIndexes };
}
