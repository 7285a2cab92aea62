import { InvalidAclError } from './errors.ts';

/**
 * Bucket ACLs in one shape, from GetBucketAcl output (`Grants`), from CloudTrail's PutBucketAcl body
 * (`AccessControlPolicy`, XML-derived: `Grant` is an object or a list, grantees carry `xsi:type`), from a
 * canned `x-amz-acl`, and from `x-amz-grant-*` headers. Grammar: S3 User Guide, "Access control list (ACL)
 * overview" (grantees, permissions, canned ACLs) and the PutBucketAcl API reference (grant headers).
 */

export type AclPermission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';

export type Grantee =
  | { readonly type: 'Group'; readonly uri: string }
  | { readonly type: 'CanonicalUser'; readonly id: string; readonly displayName?: string }
  | { readonly type: 'AmazonCustomerByEmail'; readonly email: string }
  /** Canned ACLs grant the bucket owner (and, for `aws-exec-read`, Amazon EC2) without naming an id. */
  | { readonly type: 'BucketOwner' }
  | { readonly type: 'AmazonEC2' };

export interface AclGrant {
  readonly grantee: Grantee;
  readonly permission: AclPermission;
  /** Where the grant came from, quoted in alerts: `Grants`, `AccessControlPolicy`, `x-amz-acl: public-read`, `x-amz-grant-read`. */
  readonly source: string;
}

export interface BucketAcl {
  readonly owner?: { readonly id: string; readonly displayName?: string };
  readonly grants: readonly AclGrant[];
}

export type PublicGroup = 'AllUsers' | 'AuthenticatedUsers';

export interface PublicGrant {
  readonly group: PublicGroup;
  readonly permission: AclPermission;
  readonly source: string;
}

export const GROUP_URIS = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  LogDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

const PERMISSIONS: readonly AclPermission[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'];

const allUsers = (permission: AclPermission) => ({ grantee: group('AllUsers'), permission });
const authenticatedUsers = (permission: AclPermission) => ({
  grantee: group('AuthenticatedUsers'),
  permission,
});
const owner = { grantee: { type: 'BucketOwner' } as const, permission: 'FULL_CONTROL' as const };

function group(name: keyof typeof GROUP_URIS): Grantee {
  return { type: 'Group', uri: GROUP_URIS[name] };
}

/** S3 User Guide, "Canned ACL": the grants each canned ACL stands for, on a bucket. */
const CANNED_ACLS: Readonly<Record<string, readonly Omit<AclGrant, 'source'>[]>> = {
  private: [owner],
  'public-read': [owner, allUsers('READ')],
  'public-read-write': [owner, allUsers('READ'), allUsers('WRITE')],
  'aws-exec-read': [owner, { grantee: { type: 'AmazonEC2' }, permission: 'READ' }],
  'authenticated-read': [owner, authenticatedUsers('READ')],
  // Object-only ACLs; on a bucket they leave the owner's full control.
  'bucket-owner-read': [owner],
  'bucket-owner-full-control': [owner],
  'log-delivery-write': [
    owner,
    { grantee: group('LogDelivery'), permission: 'WRITE' },
    { grantee: group('LogDelivery'), permission: 'READ_ACP' },
  ],
};

/** Grant headers (CloudTrail keeps the lowercase header name) and their SDK parameter names. */
const GRANT_HEADERS: readonly (readonly [string, string, AclPermission])[] = [
  ['x-amz-grant-read', 'GrantRead', 'READ'],
  ['x-amz-grant-write', 'GrantWrite', 'WRITE'],
  ['x-amz-grant-read-acp', 'GrantReadACP', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'GrantWriteACP', 'WRITE_ACP'],
  ['x-amz-grant-full-control', 'GrantFullControl', 'FULL_CONTROL'],
];

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Older CloudTrail records wrap scalars in one-element arrays. */
const unwrap = (value: unknown): unknown =>
  Array.isArray(value) && value.length === 1 && typeof value[0] !== 'object' ? value[0] : value;

function text(value: unknown): string | undefined {
  const scalar = unwrap(value);
  return typeof scalar === 'string' && scalar !== '' ? scalar : undefined;
}

/** XML-derived bodies hold one child as an object and several as a list. */
const asList = (value: unknown): unknown[] =>
  value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];

function parsePermission(value: unknown, where: string): AclPermission {
  const permission = text(value);
  if (!PERMISSIONS.includes(permission as AclPermission)) {
    throw new InvalidAclError(`ACL ${where}: unknown permission ${JSON.stringify(permission ?? null)}`);
  }
  return permission as AclPermission;
}

/** A grantee from GetBucketAcl (`Type`) or from CloudTrail's XML (`xsi:type`); the type is inferred when absent. */
function parseGrantee(value: unknown, where: string): Grantee {
  if (!isRecord(value)) throw new InvalidAclError(`ACL ${where}: grantee is not an object`);
  const uri = text(value.URI);
  const id = text(value.ID);
  const email = text(value.EmailAddress);
  const declared = text(value.Type) ?? text(value['xsi:type']);
  const type =
    declared ?? (uri ? 'Group' : id ? 'CanonicalUser' : email ? 'AmazonCustomerByEmail' : undefined);
  const displayName = text(value.DisplayName);
  if (type === 'Group' && uri) return { type, uri };
  if (type === 'CanonicalUser' && id) return { type, id, ...(displayName ? { displayName } : {}) };
  if (type === 'AmazonCustomerByEmail' && email) return { type, email };
  throw new InvalidAclError(`ACL ${where}: grantee of type ${type ?? 'unknown'} names no URI, ID or email`);
}

function parseGrantList(grants: unknown[], source: string): AclGrant[] {
  return grants.map((grant, position) => {
    const where = `${source}[${position}]`;
    if (!isRecord(grant)) throw new InvalidAclError(`ACL ${where}: grant is not an object`);
    return {
      grantee: parseGrantee(grant.Grantee, where),
      permission: parsePermission(grant.Permission, where),
      source,
    };
  });
}

function parseCannedAcl(value: string): AclGrant[] {
  const grants = Object.hasOwn(CANNED_ACLS, value) ? CANNED_ACLS[value] : undefined;
  if (!grants) throw new InvalidAclError(`ACL x-amz-acl: unknown canned ACL "${value}"`);
  return grants.map((grant) => ({ ...grant, source: `x-amz-acl: ${value}` }));
}

/** `uri="http://acs.amazonaws.com/groups/global/AllUsers", id="…", emailAddress="…"`, comma-separated. */
const GRANT_ITEM = String.raw`\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s,"]+))\s*(?:,|$)`;

function parseGrantHeader(header: string, value: string, permission: AclPermission): AclGrant[] {
  const grants: AclGrant[] = [];
  const item = new RegExp(GRANT_ITEM, 'y'); // sticky: each item must start where the last one ended
  while (item.lastIndex < value.length) {
    const start = item.lastIndex;
    const match = item.exec(value);
    if (!match || item.lastIndex === start) {
      throw new InvalidAclError(`ACL ${header}: cannot read "${value.slice(start)}"`);
    }
    const kind = (match[1] ?? '').toLowerCase();
    const grantee = match[2] ?? match[3] ?? '';
    grants.push({ grantee: headerGrantee(header, kind, grantee), permission, source: header });
  }
  return grants;
}

function headerGrantee(header: string, kind: string, value: string): Grantee {
  if (kind === 'uri') return { type: 'Group', uri: value };
  if (kind === 'id') return { type: 'CanonicalUser', id: value };
  if (kind === 'emailaddress') return { type: 'AmazonCustomerByEmail', email: value };
  throw new InvalidAclError(`ACL ${header}: unknown grantee kind "${kind}"`);
}

function parseOwner(value: unknown): BucketAcl['owner'] {
  if (!isRecord(value)) return undefined;
  const id = text(value.ID);
  const displayName = text(value.DisplayName);
  return id ? { id, ...(displayName ? { displayName } : {}) } : undefined;
}

/** Header lookup that accepts the header name in any case, or the SDK parameter name. */
function header(input: Json, name: string, sdkName: string): string | undefined {
  const key = Object.keys(input).find(
    (candidate) => candidate.toLowerCase() === name || candidate === sdkName,
  );
  return key === undefined ? undefined : text(input[key]);
}

/**
 * Reads every ACL form present in `input` (GetBucketAcl output, or PutBucketAcl request parameters, which
 * may carry a body, a canned ACL and grant headers) into one grant list. Throws InvalidAclError when the
 * input holds no ACL at all or an element cannot be read.
 */
export function normaliseAcl(input: unknown): BucketAcl {
  if (!isRecord(input)) throw new InvalidAclError('ACL: expected an object');
  const body = isRecord(input.AccessControlPolicy) ? input.AccessControlPolicy : undefined;
  const list = body && isRecord(body.AccessControlList) ? body.AccessControlList.Grant : undefined;
  const canned = header(input, 'x-amz-acl', 'ACL');
  const headers = GRANT_HEADERS.flatMap(([name, sdkName, permission]) => {
    const value = header(input, name, sdkName);
    return value === undefined ? [] : parseGrantHeader(name, value, permission);
  });
  const present =
    input.Grants !== undefined || body !== undefined || canned !== undefined || headers.length > 0;
  if (!present)
    throw new InvalidAclError('ACL: no grant list, AccessControlPolicy, x-amz-acl or x-amz-grant-* header');
  const owner = parseOwner(input.Owner) ?? parseOwner(body?.Owner);
  return {
    ...(owner ? { owner } : {}),
    grants: [
      ...parseGrantList(asList(input.Grants), 'Grants'),
      ...parseGrantList(asList(list), 'AccessControlPolicy'),
      ...(canned === undefined ? [] : parseCannedAcl(canned)),
      ...headers,
    ],
  };
}

/** `http` or `https`, any case, trailing slash or not: the group the URI names, if any. */
function groupOf(uri: string): keyof typeof GROUP_URIS | undefined {
  const path = uri
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '');
  return (Object.keys(GROUP_URIS) as (keyof typeof GROUP_URIS)[]).find(
    (name) => GROUP_URIS[name].toLowerCase().replace(/^http:\/\//, '') === path,
  );
}

/**
 * S3 User Guide, "The meaning of public" → ACLs: public when it "grants any permissions to members of the
 * predefined AllUsers or AuthenticatedUsers groups". The LogDelivery group is not public.
 */
export function findPublicGrants(acl: BucketAcl): readonly PublicGrant[] {
  return acl.grants.flatMap((grant) => {
    if (grant.grantee.type !== 'Group') return [];
    const name = groupOf(grant.grantee.uri);
    if (name !== 'AllUsers' && name !== 'AuthenticatedUsers') return [];
    return [{ group: name, permission: grant.permission, source: grant.source }];
  });
}
