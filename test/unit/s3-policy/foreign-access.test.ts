import { describe, expect, it } from 'vitest';
import { findForeignStatements, type TrustBoundary } from '#shared/s3/policy/foreign-access.ts';
import { normalisePolicy } from '#shared/s3/policy/policy-document.ts';

const OWNER = '111122223333';
const PARTNER = '444455556666';
const STRANGER = '777788889999';
const ORG = 'o-a1b2c3d4e5';

const boundary: TrustBoundary = { ownerAccountId: OWNER, allowedAccountIds: [PARTNER], allowedOrgIds: [ORG] };

const allow = (principal: unknown, condition?: Record<string, unknown>) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
  ...(condition ? { Condition: condition } : {}),
});

const foreign = (...statements: Record<string, unknown>[]) =>
  findForeignStatements(normalisePolicy({ Statement: statements }), boundary);

describe('findForeignStatements', () => {
  it.each([
    ['the owner account root', allow({ AWS: `arn:aws:iam::${OWNER}:root` })],
    ['a role in the owner account', allow({ AWS: `arn:aws:iam::${OWNER}:role/app` })],
    ['an allowed account by bare id', allow({ AWS: PARTNER })],
    ['a service principal', allow({ Service: 'logging.s3.amazonaws.com' })],
    ['a canonical user (no account to read)', allow({ CanonicalUser: 'abc123' })],
    [
      'a wildcard pinned to an allowed organization',
      allow('*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }),
    ],
    [
      'a wildcard pinned to the owner by aws:PrincipalAccount',
      allow('*', { StringEquals: { 'aws:PrincipalAccount': OWNER } }),
    ],
    [
      'a wildcard pinned to an allowed aws:SourceAccount',
      allow('*', { StringEquals: { 'aws:SourceAccount': PARTNER } }),
    ],
    [
      'a wildcard pinned to a role of the owner by aws:PrincipalArn',
      allow('*', { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:role/app` } }),
    ],
    [
      'a stranger account inside an allowed organization',
      allow({ AWS: STRANGER }, { StringEquals: { 'aws:PrincipalOrgID': ORG } }),
    ],
    ['a Deny to a stranger', { ...allow({ AWS: STRANGER }), Effect: 'Deny' }],
  ])('does not report %s', (_label, statement) => {
    expect(foreign(statement)).toEqual([]);
  });

  it.each([
    [
      'a stranger account ARN',
      allow({ AWS: `arn:aws:iam::${STRANGER}:root` }),
      `AWS arn:aws:iam::${STRANGER}:root`,
    ],
    ['a stranger bare account id', allow({ AWS: STRANGER }), `AWS ${STRANGER}`],
    ['a wildcard with no condition', allow('*'), 'not confined'],
    [
      'a wildcard pinned to another organization',
      allow('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } }),
      'not confined',
    ],
    [
      'a wildcard pinned with IfExists',
      allow('*', { StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a list holding a stranger',
      allow('*', { StringEquals: { 'aws:PrincipalAccount': [OWNER, STRANGER] } }),
      'not confined',
    ],
    ['a web identity provider', allow({ Federated: 'graph.facebook.com' }), 'Federated graph.facebook.com'],
    [
      'a SAML provider of a stranger',
      allow({ Federated: `arn:aws:iam::${STRANGER}:saml-provider/x` }),
      'outside the allowed accounts',
    ],
    [
      'a unique id left by a deleted identity',
      allow({ AWS: 'AIDAJQABLZS4A3QDU576Q' }),
      'AIDAJQABLZS4A3QDU576Q',
    ],
    [
      'NotPrincipal with Allow',
      { Effect: 'Allow', NotPrincipal: { AWS: OWNER }, Action: 's3:*', Resource: '*' },
      'NotPrincipal grants everyone except',
    ],
  ])('reports %s', (_label, statement, words) => {
    const [found] = foreign(statement);

    expect(found?.index).toBe(0);
    expect(found?.reason).toContain(words);
  });

  it('reports only the foreign principals of a mixed statement', () => {
    const [found] = foreign({ Sid: 'Mixed', ...allow({ AWS: [OWNER, STRANGER] }) });

    expect(found).toMatchObject({ sid: 'Mixed', foreignPrincipals: [{ type: 'AWS', id: STRANGER }] });
  });

  it('reports only the foreign statement among legitimate ones', () => {
    const result = foreign(
      allow({ AWS: OWNER }),
      allow({ AWS: STRANGER }),
      allow({ Service: 'cloudtrail.amazonaws.com' }),
    );

    expect(result.map((found) => found.index)).toEqual([1]);
  });
});
