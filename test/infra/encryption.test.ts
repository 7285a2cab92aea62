import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { arnOf, logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const keyId = logicalId(template, 'AWS::KMS::Key', 'Key');
const keyArn = arnOf(template, 'AWS::KMS::Key', 'Key');
const keyPolicy = resolvePseudo(template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy) as {
  Statement: Array<Record<string, unknown>>;
};

describe('Warden KMS key', () => {
  it('rotates and is reachable by its alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/warden', TargetKeyId: keyArn });
  });

  it('survives stack deletion, since remediated buckets are encrypted with it', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is administered by the account', () => {
    expect(keyPolicy.Statement).toContainEqual({
      Action: 'kms:*',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Resource: '*',
    });
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

  it('has no other statements', () => {
    expect(keyPolicy.Statement).toHaveLength(4);
  });
});

describe('alert topic', () => {
  it('is named, and encrypted with the Warden key', () => {
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
