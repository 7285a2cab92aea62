import { describe, expect, it } from 'vitest';
import { findForeignStatements, type TrustBoundary } from '#shared/model/policy/foreign-access.ts';
import { normalisePolicy } from '#shared/model/policy/policy-document.ts';

const OWNER = '111122223333';
const PARTNER = '444455556666';
const STRANGER = '777788889999';
const ORG = 'o-a1b2c3d4e5';

const OWN_VPCE = 'vpce-0a1b2c3d4e5f60789';
const OWN_VPC = 'vpc-1a2b3c4d';
const OAI = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE1';

const boundary: TrustBoundary = {
  ownerAccountId: OWNER,
  allowedAccountIds: [PARTNER],
  allowedOrgIds: [ORG],
  trustedVpcEndpointIds: [OWN_VPCE],
  trustedVpcIds: [OWN_VPC],
  trustedSourceIpCidrs: ['10.20.0.0/16', '2001:db8::/32'],
};

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
    [
      'a service principal confined by aws:SourceAccount to the owner',
      allow({ Service: 'logging.s3.amazonaws.com' }, { StringEquals: { 'aws:SourceAccount': OWNER } }),
    ],
    [
      "a service principal confined by aws:SourceArn to the owner's distribution",
      allow(
        { Service: 'cloudfront.amazonaws.com' },
        { StringEquals: { 'aws:SourceArn': `arn:aws:cloudfront::${OWNER}:distribution/E1DIST` } },
      ),
    ],
    [
      "a service principal confined by ArnLike aws:SourceArn to any of an allowed account's distributions",
      allow(
        { Service: 'cloudfront.amazonaws.com' },
        { ArnLike: { 'aws:SourceArn': `arn:aws:cloudfront::${PARTNER}:distribution/*` } },
      ),
    ],
    [
      'a service principal confined by aws:SourceOrgID to an allowed organization',
      allow({ Service: 'delivery.logs.amazonaws.com' }, { StringEquals: { 'aws:SourceOrgID': ORG } }),
    ],
    [
      'a service principal confined by aws:SourceOrgPaths under an allowed organization',
      allow(
        { Service: 'delivery.logs.amazonaws.com' },
        { 'ForAnyValue:StringLike': { 'aws:SourceOrgPaths': `${ORG}/r-ab12/*` } },
      ),
    ],
    ['a CloudFront origin access identity (as S3 returns it)', allow({ AWS: OAI })],
    [
      'a wildcard pinned to a trusted VPC endpoint',
      allow('*', { StringEquals: { 'aws:SourceVpce': OWN_VPCE } }),
    ],
    ['a wildcard pinned to a trusted VPC', allow('*', { StringEquals: { 'aws:SourceVpc': [OWN_VPC] } })],
    [
      'a wildcard pinned to ranges inside the trusted ones',
      allow('*', { IpAddress: { 'aws:SourceIp': ['10.20.3.0/24', '10.20.0.7', '2001:db8:1::/48'] } }),
    ],
    [
      'NotPrincipal pinned to a trusted VPC endpoint',
      {
        Effect: 'Allow',
        NotPrincipal: { AWS: OWNER },
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpce': OWN_VPCE } },
      },
    ],
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
      'an IAM user of a stranger account spelled like an OAI',
      allow({ AWS: `arn:aws:iam::${STRANGER}:user/CloudFront Origin Access Identity E2EXAMPLE1` }),
      'outside the allowed accounts',
    ],
    [
      'an ARN with a non-numeric account field that is no OAI',
      allow({ AWS: 'arn:aws:iam::cloudfront:user/someone-else' }),
      'arn:aws:iam::cloudfront:user/someone-else',
    ],
    [
      'a service principal with no source condition',
      allow({ Service: 'cloudfront.amazonaws.com' }),
      'Service cloudfront.amazonaws.com with no aws:SourceArn or aws:SourceAccount condition',
    ],
    [
      'a service principal whose only condition is no source condition',
      allow({ Service: 'cloudfront.amazonaws.com' }, { Bool: { 'aws:SecureTransport': 'true' } }),
      'no aws:SourceArn or aws:SourceAccount condition',
    ],
    [
      "a service principal confined to a stranger's distribution",
      allow(
        { Service: 'cloudfront.amazonaws.com' },
        { StringEquals: { 'aws:SourceArn': `arn:aws:cloudfront::${STRANGER}:distribution/E1DIST` } },
      ),
      `aws:SourceArn arn:aws:cloudfront::${STRANGER}:distribution/E1DIST`,
    ],
    [
      'a service principal confined to a stranger account',
      allow({ Service: 'logging.s3.amazonaws.com' }, { StringEquals: { 'aws:SourceAccount': STRANGER } }),
      'does not confine it to the allowed accounts',
    ],
    [
      'a service principal whose aws:SourceAccount holds only if present',
      allow(
        { Service: 'logging.s3.amazonaws.com' },
        { StringEqualsIfExists: { 'aws:SourceAccount': OWNER } },
      ),
      'does not confine it',
    ],
    [
      'a wildcard pinned to a VPC endpoint that is not trusted',
      allow('*', { StringEquals: { 'aws:SourceVpce': 'vpce-11112222333344445' } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a trusted and an untrusted VPC endpoint',
      allow('*', { StringEquals: { 'aws:SourceVpce': [OWN_VPCE, 'vpce-11112222333344445'] } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a VPC endpoint with a wildcard',
      allow('*', { StringLike: { 'aws:SourceVpce': 'vpce-*' } }),
      'not confined',
    ],
    [
      'a wildcard excluded from a trusted VPC endpoint',
      allow('*', { StringNotEquals: { 'aws:SourceVpce': OWN_VPCE } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a VPC that is not trusted',
      allow('*', { StringEquals: { 'aws:SourceVpc': 'vpc-9f8e7d6c' } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a range wider than the trusted one',
      allow('*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
      'not confined',
    ],
    [
      'a wildcard pinned to a range that only overlaps the trusted one by family',
      allow('*', { IpAddress: { 'aws:SourceIp': '2001:db9::/48' } }),
      'not confined',
    ],
    [
      'a wildcard excluded from a trusted range',
      allow('*', { NotIpAddress: { 'aws:SourceIp': '10.20.0.0/16' } }),
      'not confined',
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
      allow(
        { Service: 'cloudtrail.amazonaws.com' },
        { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/main` } },
      ),
    );

    expect(result.map((found) => found.index)).toEqual([1]);
  });

  it('still reports a stranger named next to a wildcard that a trusted VPC endpoint confines', () => {
    const [found] = foreign(
      allow(
        { AWS: ['*', `arn:aws:iam::${STRANGER}:root`] },
        { StringEquals: { 'aws:SourceVpce': OWN_VPCE } },
      ),
    );

    expect(found).toMatchObject({
      foreignPrincipals: [{ type: 'AWS', id: `arn:aws:iam::${STRANGER}:root` }],
    });
  });

  it('reports a wildcard pinned to a VPC endpoint when no endpoint is trusted', () => {
    const untrusting = { ...boundary, trustedVpcEndpointIds: [] };
    const statement = allow('*', { StringEquals: { 'aws:SourceVpce': OWN_VPCE } });

    expect(findForeignStatements(normalisePolicy({ Statement: [statement] }), untrusting)).toHaveLength(1);
  });
});
