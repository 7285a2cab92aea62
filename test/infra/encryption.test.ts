import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { arnOf, logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const policyOf = (prefix: string) =>
  resolvePseudo(
    template.findResources('AWS::KMS::Key')[logicalId(template, 'AWS::KMS::Key', prefix)]?.Properties
      .KeyPolicy,
  ) as { Statement: Array<Record<string, unknown>> };
const keyArn = arnOf(template, 'AWS::KMS::Key', 'Key');
const bucketKeyArn = arnOf(template, 'AWS::KMS::Key', 'BucketKey');
const ADMINISTERED_BY_THE_ACCOUNT = {
  Action: 'kms:*',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:root' },
  Resource: '*',
};

describe("Warden's keys", () => {
  it('are two, both rotating, both kept when the stack is deleted', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const key of Object.values(template.findResources('AWS::KMS::Key')))
      expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('Warden bucket key', () => {
  const keyPolicy = policyOf('BucketKey');

  it('is reachable by the alias s3-guard looks up in every account and region', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/warden',
      TargetKeyId: bucketKeyArn,
    });
  });

  it('is administered by the account', () => {
    expect(keyPolicy.Statement).toContainEqual(ADMINISTERED_BY_THE_ACCOUNT);
  });

  it('may be used by anyone in the account only through S3, for bucket encryption', () => {
    expect(keyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { AWS: '*' },
        Condition: {
          StringEquals: {
            'kms:ViaService': 's3.us-east-1.amazonaws.com',
            'kms:CallerAccount': '123456789012',
          },
        },
      }),
    );
  });

  it('has no other statements: Warden resources do not depend on it', () => {
    expect(keyPolicy.Statement).toHaveLength(2);
  });
});

describe('Warden internal key', () => {
  const keyPolicy = policyOf('Key');

  it('has its own alias', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/warden-internal',
      TargetKeyId: keyArn,
    });
  });

  it('is administered by the account', () => {
    expect(keyPolicy.Statement).toContainEqual(ADMINISTERED_BY_THE_ACCOUNT);
  });

  it('lets CloudWatch, EventBridge and SNS of this account write to the encrypted topic and queues', () => {
    expect(keyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com'] },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    );
  });

  it('may be used by Secrets Manager of this account for the webhook secret', () => {
    expect(keyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      }),
    );
  });

  it('is never used for buckets', () => {
    expect(JSON.stringify(keyPolicy.Statement)).not.toContain('s3.us-east-1.amazonaws.com');
    expect(keyPolicy.Statement).toHaveLength(3);
  });
});

describe('alert topic', () => {
  it("is named, and encrypted with Warden's internal key", () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'warden-alerts', KmsMasterKeyId: keyArn });
  });

  it('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('state tables', () => {
  const common = {
    BillingMode: 'PAY_PER_REQUEST',
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  };

  it('keeps idempotency records under the Powertools defaults: key `id`, TTL `expiration`', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...common,
      TableName: 'warden-idempotency',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('keeps audit records by resource and time, expiring on `expiresAt`', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ...common,
      TableName: 'warden-audit',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('retains the audit table when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { TableName: 'warden-audit' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});
