import { describe, expect, it } from 'vitest';
import { findPublicGrants, GROUP_URIS, normaliseAcl } from '#shared/model/policy/acl.ts';
import { InvalidAclError } from '#shared/model/policy/errors.ts';

const OWNER_ID = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

const publicOf = (input: unknown) => findPublicGrants(normaliseAcl(input));

describe('normaliseAcl shapes', () => {
  it('reads GetBucketAcl output', () => {
    const acl = normaliseAcl({
      Owner: { ID: OWNER_ID, DisplayName: 'owner' },
      Grants: [
        {
          Grantee: { Type: 'CanonicalUser', ID: OWNER_ID, DisplayName: 'owner' },
          Permission: 'FULL_CONTROL',
        },
        { Grantee: { Type: 'Group', URI: GROUP_URIS.AllUsers }, Permission: 'READ' },
      ],
    });

    expect(acl).toEqual({
      owner: { id: OWNER_ID, displayName: 'owner' },
      grants: [
        {
          grantee: { type: 'CanonicalUser', id: OWNER_ID, displayName: 'owner' },
          permission: 'FULL_CONTROL',
          source: 'Grants',
        },
        { grantee: { type: 'Group', uri: GROUP_URIS.AllUsers }, permission: 'READ', source: 'Grants' },
      ],
    });
  });

  it('reads CloudTrail AccessControlPolicy with a single Grant object and xsi:type', () => {
    const acl = normaliseAcl({
      bucketName: 'example-bucket',
      acl: [''],
      AccessControlPolicy: {
        xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
        Owner: { ID: OWNER_ID },
        AccessControlList: {
          Grant: {
            Grantee: {
              'xsi:type': 'Group',
              'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
              URI: GROUP_URIS.AuthenticatedUsers,
            },
            Permission: 'WRITE',
          },
        },
      },
    });

    expect(acl.owner).toEqual({ id: OWNER_ID });
    expect(acl.grants).toEqual([
      {
        grantee: { type: 'Group', uri: GROUP_URIS.AuthenticatedUsers },
        permission: 'WRITE',
        source: 'AccessControlPolicy',
      },
    ]);
  });

  it('reads CloudTrail AccessControlPolicy with a Grant list and one-element scalar arrays', () => {
    const acl = normaliseAcl({
      AccessControlPolicy: {
        AccessControlList: {
          Grant: [
            { Grantee: { 'xsi:type': ['CanonicalUser'], ID: [OWNER_ID] }, Permission: ['FULL_CONTROL'] },
            {
              Grantee: { 'xsi:type': 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' },
              Permission: 'READ_ACP',
            },
          ],
        },
      },
    });

    expect(acl.grants.map((grant) => [grant.grantee.type, grant.permission])).toEqual([
      ['CanonicalUser', 'FULL_CONTROL'],
      ['AmazonCustomerByEmail', 'READ_ACP'],
    ]);
  });

  it('infers the grantee type from its field when no type is given', () => {
    const acl = normaliseAcl({ Grants: [{ Grantee: { URI: GROUP_URIS.LogDelivery }, Permission: 'WRITE' }] });

    expect(acl.grants[0]?.grantee).toEqual({ type: 'Group', uri: GROUP_URIS.LogDelivery });
  });

  it('reads grant headers with several comma-separated grantees', () => {
    const acl = normaliseAcl({
      'x-amz-grant-read': `uri="${GROUP_URIS.AllUsers}", id="${OWNER_ID}", emailAddress="a@example.com"`,
      'x-amz-grant-full-control': [`id="${OWNER_ID}"`],
    });

    expect(acl.grants).toEqual([
      {
        grantee: { type: 'Group', uri: GROUP_URIS.AllUsers },
        permission: 'READ',
        source: 'x-amz-grant-read',
      },
      { grantee: { type: 'CanonicalUser', id: OWNER_ID }, permission: 'READ', source: 'x-amz-grant-read' },
      {
        grantee: { type: 'AmazonCustomerByEmail', email: 'a@example.com' },
        permission: 'READ',
        source: 'x-amz-grant-read',
      },
      {
        grantee: { type: 'CanonicalUser', id: OWNER_ID },
        permission: 'FULL_CONTROL',
        source: 'x-amz-grant-full-control',
      },
    ]);
  });

  it('reads SDK parameter names (ACL, GrantWriteACP)', () => {
    const acl = normaliseAcl({ ACL: 'private', GrantWriteACP: `uri="${GROUP_URIS.AllUsers}"` });

    expect(acl.grants.map((grant) => [grant.grantee.type, grant.permission, grant.source])).toEqual([
      ['BucketOwner', 'FULL_CONTROL', 'x-amz-acl: private'],
      ['Group', 'WRITE_ACP', 'x-amz-grant-write-acp'],
    ]);
  });

  it.each([
    ['not an object', 'public-read', 'expected an object'],
    ['nothing ACL-like', { bucketName: 'b' }, 'no grant list'],
    ['an unknown canned ACL', { 'x-amz-acl': 'world-readable' }, 'unknown canned ACL'],
    ['a canned ACL named like an object property', { 'x-amz-acl': 'toString' }, 'unknown canned ACL'],
    [
      'an unknown permission',
      { Grants: [{ Grantee: { ID: OWNER_ID }, Permission: 'READ_ALL' }] },
      'unknown permission',
    ],
    [
      'a grantee with nothing to name it',
      { Grants: [{ Grantee: { Type: 'Group' }, Permission: 'READ' }] },
      'names no URI',
    ],
    ['an unreadable grant header', { 'x-amz-grant-read': 'everyone' }, 'cannot read "everyone"'],
    ['an unknown grant header kind', { 'x-amz-grant-read': 'user="x"' }, 'unknown grantee kind "user"'],
  ])('refuses %s with InvalidAclError', (_label, input, message) => {
    expect(() => normaliseAcl(input)).toThrow(InvalidAclError);
    expect(() => normaliseAcl(input)).toThrow(message);
  });
});

describe('findPublicGrants', () => {
  it.each([
    ['canned public-read', { 'x-amz-acl': 'public-read' }, [['AllUsers', 'READ']]],
    [
      'canned public-read in the old one-element encoding',
      { 'x-amz-acl': ['public-read'] },
      [['AllUsers', 'READ']],
    ],
    [
      'canned public-read-write',
      { 'x-amz-acl': 'public-read-write' },
      [
        ['AllUsers', 'READ'],
        ['AllUsers', 'WRITE'],
      ],
    ],
    ['canned authenticated-read', { 'x-amz-acl': 'authenticated-read' }, [['AuthenticatedUsers', 'READ']]],
    ['canned private', { 'x-amz-acl': 'private' }, []],
    ['canned log-delivery-write (LogDelivery is not public)', { 'x-amz-acl': 'log-delivery-write' }, []],
    ['canned aws-exec-read', { 'x-amz-acl': 'aws-exec-read' }, []],
    ['canned bucket-owner-full-control', { 'x-amz-acl': 'bucket-owner-full-control' }, []],
    [
      'an AllUsers grant header',
      { 'x-amz-grant-write': `uri="${GROUP_URIS.AllUsers}"` },
      [['AllUsers', 'WRITE']],
    ],
    [
      'an AuthenticatedUsers grant in GetBucketAcl output',
      {
        Grants: [{ Grantee: { Type: 'Group', URI: GROUP_URIS.AuthenticatedUsers }, Permission: 'READ_ACP' }],
      },
      [['AuthenticatedUsers', 'READ_ACP']],
    ],
    [
      'a LogDelivery grant in GetBucketAcl output',
      { Grants: [{ Grantee: { Type: 'Group', URI: GROUP_URIS.LogDelivery }, Permission: 'WRITE' }] },
      [],
    ],
    [
      'an AllUsers URI spelled with https and a trailing slash',
      {
        Grants: [
          {
            Grantee: { Type: 'Group', URI: 'https://acs.amazonaws.com/groups/global/AllUsers/' },
            Permission: 'READ',
          },
        ],
      },
      [['AllUsers', 'READ']],
    ],
    [
      'a canonical user grant',
      { Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' }] },
      [],
    ],
  ])('%s', (_label, input, expected) => {
    expect(publicOf(input).map((grant) => [grant.group, grant.permission])).toEqual(expected);
  });

  it('quotes where each public grant came from', () => {
    const grants = publicOf({
      'x-amz-acl': 'public-read',
      'x-amz-grant-write': `uri="${GROUP_URIS.AllUsers}"`,
    });

    expect(grants.map((grant) => grant.source)).toEqual(['x-amz-acl: public-read', 'x-amz-grant-write']);
  });
});
