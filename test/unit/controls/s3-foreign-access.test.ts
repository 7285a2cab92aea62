import { describe, expect, it } from 'vitest';
import { s3ForeignAccess } from '#shared/controls/s3-foreign-access.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import type { BucketState } from '#shared/model/bucket.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const STRANGER = '777788889999';
const VPCE = 'vpce-0a1b2c3d4e5f60789';

const contextWith = (s3: PolicyInput['s3'] = {}): EvaluationContext => ({
  policy: makePolicy({ s3 }),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
});

const withPolicy = (statement: object): BucketState => ({
  bucket: 'example-bucket',
  accountId: ACCOUNT_ID,
  policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
});

const READ = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::example-bucket/*' };

describe('s3-foreign-access', () => {
  it('reports a CloudFront service principal with no source condition, naming the missing condition', () => {
    const finding = s3ForeignAccess.check(
      withPolicy({ Sid: 'CloudFront', ...READ, Principal: { Service: 'cloudfront.amazonaws.com' } }),
      contextWith(),
    );

    expect(finding?.summary).toContain('no aws:SourceArn or aws:SourceAccount condition');
  });

  it("is compliant for a CloudFront service principal confined to the owner's distribution", () => {
    const state = withPolicy({
      ...READ,
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: {
        StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E1DIST` },
      },
    });

    expect(s3ForeignAccess.check(state, contextWith())).toBeUndefined();
  });

  it("reports a CloudFront service principal confined to a stranger's distribution", () => {
    const state = withPolicy({
      ...READ,
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceArn': `arn:aws:cloudfront::${STRANGER}:distribution/E1DIST` } },
    });

    expect(s3ForeignAccess.check(state, contextWith())?.summary).toContain(STRANGER);
  });

  it('is compliant for a CloudFront origin access identity as S3 returns it', () => {
    const state = withPolicy({
      ...READ,
      Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE1' },
    });

    expect(s3ForeignAccess.check(state, contextWith())).toBeUndefined();
  });

  it.each([
    ['VPC endpoint', { trustedVpcEndpointIds: [VPCE] }, { StringEquals: { 'aws:SourceVpce': VPCE } }],
    ['VPC', { trustedVpcIds: ['vpc-1a2b3c4d'] }, { StringEquals: { 'aws:SourceVpc': 'vpc-1a2b3c4d' } }],
    [
      'IP range',
      { trustedSourceIpCidrs: ['203.0.113.0/24'] },
      { IpAddress: { 'aws:SourceIp': '203.0.113.64/26' } },
    ],
  ])('takes the trusted %s from the policy file', (_label, trusted, condition) => {
    const state = withPolicy({ ...READ, Principal: '*', Condition: condition });

    expect(s3ForeignAccess.check(state, contextWith())).toBeDefined();
    expect(s3ForeignAccess.check(state, contextWith(trusted))).toBeUndefined();
  });
});
