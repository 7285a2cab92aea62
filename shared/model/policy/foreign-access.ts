import {
  isFixedValue,
  MATCHING_IP_OPERATORS,
  MATCHING_STRING_OPERATORS,
  operatorProblem,
  sameKey,
} from './conditions.ts';
import { isWithinTrustedRanges } from './ip-ranges.ts';
import type { ConditionClause, PolicyDocument, PolicyStatement, Principal } from './policy-document.ts';
import {
  accountOfArn,
  accountOfPrincipal,
  describePrincipals,
  isCloudFrontOriginAccessIdentity,
  isOpenPrincipal,
} from './principals.ts';

/**
 * Who may be granted access: the bucket owner's account plus the accounts and organizations the policy file
 * lists, and the networks (VPC endpoints, VPCs, IP ranges) it trusts to carry only their callers.
 */
export interface TrustBoundary {
  readonly ownerAccountId: string;
  readonly allowedAccountIds: readonly string[];
  readonly allowedOrgIds: readonly string[];
  readonly trustedVpcEndpointIds: readonly string[];
  readonly trustedVpcIds: readonly string[];
  readonly trustedSourceIpCidrs: readonly string[];
}

export interface ForeignStatement {
  readonly index: number;
  readonly sid?: string;
  /** The principals outside the boundary, as written (for NotPrincipal: the excluded ones). */
  readonly foreignPrincipals: readonly Principal[];
  readonly reason: string;
}

interface BoundaryKey {
  readonly name: string;
  readonly operators: ReadonlySet<string>;
  /**
   * `identity`: the key says whose the caller (or the resource a service acts for) is, which confines every
   * principal of the statement. `network`: the key says where the request came from, which confines an open
   * principal to the trusted network but does not make a principal named from another account one's own.
   */
  readonly confines: 'identity' | 'network';
  /** Whether the value admits only callers inside the boundary; handles its own wildcards. */
  readonly trusted: (value: string, boundary: TrustBoundary) => boolean;
}

const stringKey = (
  name: string,
  trusted: BoundaryKey['trusted'],
  confines: BoundaryKey['confines'] = 'identity',
): BoundaryKey => ({ name, operators: MATCHING_STRING_OPERATORS, confines, trusted });

const fixedIn = (value: string, allowed: readonly string[]): boolean =>
  isFixedValue(value) && allowed.some((entry) => entry.toLowerCase() === value.toLowerCase());

const trustedOrg = (value: string, boundary: TrustBoundary) => fixedIn(value, boundary.allowedOrgIds);
const trustedAccount = (value: string, boundary: TrustBoundary) =>
  isFixedValue(value) && isTrustedAccount(value, boundary);
/** An ARN whose account field is a fixed trusted account; a wildcard after it (`role/*`) stays in that account. */
const trustedArn = (value: string, boundary: TrustBoundary) =>
  isTrustedAccount(accountOfArn(value), boundary);

/** `o-xxxxxxxxxx/r-xxxx/ou-.../`: a path under an allowed organization, wildcards allowed after the org id. */
const ORG_PATH = /^(o-[a-z0-9]{10,32})\//;

/** The source keys AWS recommends on a service principal against the confused deputy. */
const SOURCE_KEY_NAMES = [
  'aws:SourceArn',
  'aws:SourceAccount',
  'aws:SourceOwner',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
];

/**
 * Condition keys whose values confine a statement to callers inside the boundary (same operator rules as
 * "public": the request must carry one of the listed values). Source keys say for whose resource a service
 * acts; the network keys admit only traffic from the endpoints, VPCs and ranges the user trusts.
 */
const BOUNDARY_KEYS: readonly BoundaryKey[] = [
  stringKey('aws:PrincipalOrgID', trustedOrg),
  stringKey('aws:SourceOrgID', trustedOrg),
  stringKey('aws:SourceOrgPaths', (value, boundary) => {
    const org = ORG_PATH.exec(value)?.[1];
    return org !== undefined && trustedOrg(org, boundary);
  }),
  stringKey('aws:PrincipalAccount', trustedAccount),
  stringKey('aws:SourceAccount', trustedAccount),
  stringKey('aws:SourceOwner', trustedAccount),
  stringKey(
    'aws:PrincipalArn',
    (value, boundary) => trustedArn(value, boundary) || isCloudFrontOriginAccessIdentity(value),
  ),
  stringKey('aws:SourceArn', trustedArn),
  stringKey('aws:SourceVpce', (value, boundary) => fixedIn(value, boundary.trustedVpcEndpointIds), 'network'),
  stringKey('aws:SourceVpc', (value, boundary) => fixedIn(value, boundary.trustedVpcIds), 'network'),
  {
    name: 'aws:SourceIp',
    operators: MATCHING_IP_OPERATORS,
    confines: 'network',
    trusted: (value, boundary) => isWithinTrustedRanges(value, boundary.trustedSourceIpCidrs),
  },
];

function isTrustedAccount(accountId: string | undefined, boundary: TrustBoundary): boolean {
  return (
    accountId !== undefined &&
    (accountId === boundary.ownerAccountId || boundary.allowedAccountIds.includes(accountId))
  );
}

/**
 * How the clause confines the statement, when it requires every caller to carry a trusted value: all its
 * values are trusted (IAM ORs them).
 */
function confinementOf(
  clause: ConditionClause,
  boundary: TrustBoundary,
): BoundaryKey['confines'] | undefined {
  const key = BOUNDARY_KEYS.find((candidate) => sameKey(candidate.name, clause.key));
  if (!key || operatorProblem(clause, key.operators) !== undefined) return undefined;
  return clause.values.every((value) => key.trusted(value, boundary)) ? key.confines : undefined;
}

/** The foreign principals no condition confines. NotPrincipal grants as openly as a wildcard. */
function unconfined(
  statement: PolicyStatement,
  foreign: readonly Principal[],
  boundary: TrustBoundary,
): readonly Principal[] {
  const confinements = statement.conditions.map((clause) => confinementOf(clause, boundary));
  if (confinements.includes('identity')) return [];
  if (!confinements.includes('network')) return foreign;
  return statement.notPrincipals.length > 0 ? [] : foreign.filter((principal) => !isOpenPrincipal(principal));
}

/**
 * Principals outside the boundary. A service principal acts for whichever account's resource invokes it,
 * so without a source condition (checked by the caller) it is foreign: the confused deputy. A canonical
 * user id names no account Warden can read without an AWS call, so it is not reported; a CloudFront origin
 * access identity, in either spelling, is the owner's own distribution identity. An AWS principal whose
 * account cannot be read from its spelling (a unique id left behind by a deleted identity) is reported.
 */
function foreignPrincipalsOf(statement: PolicyStatement, boundary: TrustBoundary): readonly Principal[] {
  if (statement.notPrincipals.length > 0) return statement.notPrincipals;
  return statement.principals.filter((principal) => {
    if (isOpenPrincipal(principal)) return true;
    if (principal.type === 'Service') return true;
    if (principal.type === 'CanonicalUser') return false;
    if (principal.type === 'AWS' && isCloudFrontOriginAccessIdentity(principal.id)) return false;
    return !isTrustedAccount(accountOfPrincipal(principal), boundary);
  });
}

function describeServices(statement: PolicyStatement, services: readonly Principal[]): string {
  const sources = statement.conditions.filter((clause) =>
    SOURCE_KEY_NAMES.some((name) => sameKey(name, clause.key)),
  );
  if (sources.length === 0) {
    return `Allow to ${describePrincipals(services)} with no aws:SourceArn or aws:SourceAccount condition, so the service may act for any account's resources (confused deputy)`;
  }
  const written = sources.map((clause) => `${clause.operator} ${clause.key} ${clause.values.join(', ')}`);
  return `Allow to ${describePrincipals(services)} with a source condition that does not confine it to the allowed accounts (${written.join('; ')})`;
}

function describeForeign(statement: PolicyStatement, foreign: readonly Principal[]): string {
  if (statement.notPrincipals.length > 0) {
    return `NotPrincipal grants everyone except ${describePrincipals(foreign)}`;
  }
  const open = foreign.filter(isOpenPrincipal);
  const services = foreign.filter((principal) => !isOpenPrincipal(principal) && principal.type === 'Service');
  const accounts = foreign.filter((principal) => !isOpenPrincipal(principal) && principal.type !== 'Service');
  return [
    open.length > 0
      ? `Allow to ${describePrincipals(open)} not confined to an allowed account, organization or trusted network`
      : [],
    accounts.length > 0
      ? `Allow to principals outside the allowed accounts: ${describePrincipals(accounts)}`
      : [],
    services.length > 0 ? describeServices(statement, services) : [],
  ]
    .flat()
    .join('; ');
}

/** Allow statements that grant access to principals outside the trust boundary. */
export function findForeignStatements(
  document: PolicyDocument,
  boundary: TrustBoundary,
): readonly ForeignStatement[] {
  return document.statements.flatMap((statement) => {
    if (statement.effect === 'Deny') return [];
    const foreign = unconfined(statement, foreignPrincipalsOf(statement, boundary), boundary);
    if (foreign.length === 0) return [];
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
