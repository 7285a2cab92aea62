import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { findForeignStatements } from '#shared/model/policy/foreign-access.ts';
import { normalisePolicy } from '#shared/model/policy/policy-document.ts';
import { WardenTrail } from '../../infra/constructs/trail.ts';

const ACCOUNT = '111122223333';

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': 'eu-west-1',
};

/** CloudFormation intrinsics replaced by what they name, so Warden's own policy analysis can read it. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if ('Fn::GetAtt' in record) return 'arn:aws:s3:::trail-bucket';
  if ('Ref' in record) return PSEUDO[String(record.Ref)] ?? String(record.Ref);
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(plain).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, plain(item)]));
}

/** The trail bucket's policy as synthesized. */
function trailBucketPolicy(organizationId?: string) {
  const stack = new Stack(new App(), 'TrailTest', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new WardenTrail(stack, 'Trail', {
    trailName: 'warden-trail',
    ...(organizationId ? { organizationId } : {}),
  });
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy')) as {
    Properties: { PolicyDocument: unknown };
  }[];
  return normalisePolicy(plain(policy?.Properties.PolicyDocument));
}

describe.each([
  ['account trail', undefined],
  ['organization trail', 'o-a1b2c3d4e5'],
])('the %s bucket policy', (_name, organizationId) => {
  const document = trailBucketPolicy(organizationId);
  const cloudTrailStatements = document.statements.filter((statement) =>
    statement.principals.some((principal) => principal.id === 'cloudtrail.amazonaws.com'),
  );

  it('pins every CloudTrail statement to this trail with aws:SourceArn', () => {
    expect(cloudTrailStatements.length).toBeGreaterThanOrEqual(2);
    for (const statement of cloudTrailStatements)
      expect(statement.conditions.map((clause) => clause.key)).toContain('aws:SourceArn');
  });

  it("is not reported by Warden's own foreign-access control", () => {
    const foreign = findForeignStatements(document, {
      ownerAccountId: ACCOUNT,
      allowedAccountIds: [],
      allowedOrgIds: organizationId ? [organizationId] : [],
      trustedVpcEndpointIds: [],
      trustedVpcIds: [],
      trustedSourceIpCidrs: [],
    });
    expect(foreign.map((statement) => statement.reason)).toEqual([]);
  });
});
