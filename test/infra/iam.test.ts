import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { S3_GUARD_BUCKET_ACTIONS } from '../../infra/stacks/hub-stack.ts';
import { arnOf } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
const roleIds = Object.keys(template.findResources('AWS::IAM::Role'));
const policies = Object.values(template.findResources('AWS::IAM::Policy'));
const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
// Sorted: CDK's minimizePolicies flag orders actions alphabetically.
const actionsOf = (statement: Statement) => [statement.Action].flat().sort();
const statementFor = (action: string, resource: unknown) =>
  statements.filter(
    (s) => actionsOf(s).includes(action) && JSON.stringify(s.Resource) === JSON.stringify(resource),
  );
const viaService = (service: string) => ({
  StringEquals: { 'kms:ViaService': `${service}.us-east-1.amazonaws.com` },
});

describe('s3-guard role', () => {
  it('has the fixed name Warden recognises as its own, and only Lambda may assume it', () => {
    expect(roleIds).toHaveLength(1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'warden-s3-guard-role',
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
    });
  });

  it('uses no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('allows only these statements, all Allow', () => {
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(statements.map((s) => actionsOf(s).join(' ')).sort()).toEqual(
      [
        'dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
        'dynamodb:GetItem dynamodb:PutItem dynamodb:Query',
        'kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey',
        'kms:DescribeKey',
        'kms:Decrypt kms:GenerateDataKey',
        'kms:Decrypt kms:GenerateDataKey',
        'logs:CreateLogStream logs:PutLogEvents',
        'sns:Publish',
        'sqs:SendMessage',
        [...S3_GUARD_BUCKET_ACTIONS].sort().join(' '),
      ].sort(),
    );
  });

  it('grants no wildcard action', () => {
    for (const action of statements.flatMap(actionsOf)) {
      expect(action).not.toContain('*');
    }
  });

  it('grants the bucket actions on bucket ARNs only: no object ARNs, no s3:*', () => {
    const [s3] = statements.filter((s) => actionsOf(s).some((action) => action.startsWith('s3:')));
    expect(actionsOf(s3 as Statement)).toEqual(
      [
        's3:GetEncryptionConfiguration',
        's3:PutEncryptionConfiguration',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketPublicAccessBlock',
        's3:GetBucketPolicy',
        's3:GetBucketAcl',
        's3:GetBucketOwnershipControls',
      ].sort(),
    );
    expect(resolvePseudo(s3?.Resource)).toBe('arn:aws:s3:::*');
  });

  it('scopes every other statement to one Warden resource', () => {
    const others = statements.filter((s) => !actionsOf(s).some((action) => action.startsWith('s3:')));
    for (const statement of others) {
      const resource = statement.Resource as Record<string, unknown>;
      expect(Object.keys(resource)).toEqual([expect.stringMatching(/^(Ref|Fn::GetAtt)$/)]);
    }
  });

  it('publishes only to the alert topic', () => {
    expect(statements.filter((s) => actionsOf(s).includes('sns:Publish'))).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^AlertTopic/) } },
    ]);
  });

  it('writes the idempotency and audit tables with exactly the operations each needs', () => {
    expect(
      statementFor('dynamodb:DeleteItem', arnOf(template, 'AWS::DynamoDB::Table', 'StateIdempotency')),
    ).toHaveLength(1);
    const audit = statementFor('dynamodb:PutItem', arnOf(template, 'AWS::DynamoDB::Table', 'StateAudit'));
    expect(audit.map(actionsOf)).toEqual([['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']]);
  });

  it('uses the key directly only to describe it, and otherwise only through SQS, SNS and DynamoDB', () => {
    const key = arnOf(template, 'AWS::KMS::Key', 'Key');
    const keyStatements = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(key));
    expect(keyStatements.map((s) => [actionsOf(s).join(' '), resolvePseudo(s.Condition)])).toEqual([
      ['kms:Decrypt kms:GenerateDataKey', viaService('sqs')],
      ['kms:DescribeKey', undefined],
      ['kms:Decrypt kms:GenerateDataKey', viaService('sns')],
      ['kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey', viaService('dynamodb')],
    ]);
  });

  it('writes logs to its own log group only', () => {
    expect(
      statementFor('logs:PutLogEvents', arnOf(template, 'AWS::Logs::LogGroup', 'S3GuardLogs')),
    ).toHaveLength(1);
  });
});
