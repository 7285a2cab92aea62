import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#shared/config/names.ts';
import { S3_GUARD_BUCKET_ACTIONS } from '../../infra/stacks/hub-stack.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { policyFileWith, synthHub } from './support/synth-hub.ts';

const { template } = synthHub();

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
// Sorted: CDK's minimizePolicies flag orders actions alphabetically.
const actionsOf = (statement: Statement) => [statement.Action].flat().sort();
const viaService = (service: string) => ({
  StringEquals: { 'kms:ViaService': `${service}.us-east-1.amazonaws.com` },
});

/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
function allStatementsOf(source: Template, rolePrefix: string): Statement[] {
  const roleId = logicalId(source, 'AWS::IAM::Role', rolePrefix);
  return Object.values(source.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
/** What the role allows (its one Deny is tested on its own). */
const statementsOf = (source: Template, rolePrefix: string): Statement[] =>
  allStatementsOf(source, rolePrefix).filter((s) => s.Effect === 'Allow');
const summary = (statements: Statement[]) => statements.map((s) => actionsOf(s).join(' ')).sort();
const find = (statements: Statement[], action: string) =>
  statements.filter((s) => actionsOf(s).includes(action));

const s3Guard = statementsOf(template, 'S3GuardRole');
const rootGuard = statementsOf(template, 'RootGuardRole');
const notifySlack = statementsOf(template, 'SlackNotifySlackRole');
const keyArn = arnOf(template, 'AWS::KMS::Key', 'Key');
const bucketKeyArn = arnOf(template, 'AWS::KMS::Key', 'BucketKey');
const auditTable = arnOf(template, 'AWS::DynamoDB::Table', 'StateAudit');
const idempotencyTable = arnOf(template, 'AWS::DynamoDB::Table', 'StateIdempotency');

describe('function roles', () => {
  it.each([
    ['S3GuardRole', 'warden-s3-guard-role'],
    ['RootGuardRole', 'warden-root-guard-role'],
    ['SlackNotifySlackRole', 'warden-notify-slack-role'],
  ])('%s has a fixed name, and only Lambda of this account may assume it', (prefix, name) => {
    const role = template.findResources('AWS::IAM::Role')[logicalId(template, 'AWS::IAM::Role', prefix)];
    expect(resolvePseudo(role?.Properties)).toMatchObject({
      RoleName: name,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each([
    ['S3GuardRole', 'warden-s3-guard'],
    ['RootGuardRole', 'warden-root-guard'],
    ['SlackNotifySlackRole', 'warden-notify-slack'],
  ])(
    '%s denies everything to any function but %s (someone who passes the role to their own)',
    (prefix, fn) => {
      const denies = allStatementsOf(template, prefix).filter((s) => s.Effect === 'Deny');
      const arn = `arn:aws:lambda:us-east-1:123456789012:function:${fn}`;
      expect(denies.map(resolvePseudo)).toEqual([
        {
          Sid: 'OnlyWardensOwnFunction',
          Action: '*',
          Effect: 'Deny',
          Resource: '*',
          Condition: {
            ArnNotLike: { 'lambda:SourceFunctionArn': [arn, `${arn}:*`] },
            Null: { 'lambda:SourceFunctionArn': 'false' },
          },
        },
      ]);
    },
  );

  it('allows no wildcard action', () => {
    for (const statement of [...s3Guard, ...rootGuard, ...notifySlack]) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });
});

describe('s3-guard role', () => {
  it('allows only these statements', () => {
    expect(summary(s3Guard)).toEqual(
      [
        'dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
        'dynamodb:GetItem dynamodb:PutItem',
        'kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey',
        'kms:DescribeKey',
        'kms:Decrypt kms:GenerateDataKey',
        'kms:Decrypt kms:GenerateDataKey',
        'logs:CreateLogStream logs:PutLogEvents',
        's3:GetAccountPublicAccessBlock s3:PutAccountPublicAccessBlock',
        'sns:Publish',
        'sqs:SendMessage',
        [...S3_GUARD_BUCKET_ACTIONS].sort().join(' '),
      ].sort(),
    );
  });

  it('grants the bucket actions its readers and appliers call, on bucket ARNs only', () => {
    const [bucket] = find(s3Guard, 's3:GetBucketPolicy');
    expect(actionsOf(bucket as Statement)).toEqual(
      [
        's3:GetEncryptionConfiguration',
        's3:PutEncryptionConfiguration',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketPublicAccessBlock',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:GetBucketAcl',
        's3:PutBucketAcl',
        's3:GetBucketOwnershipControls',
        's3:PutBucketOwnershipControls',
      ].sort(),
    );
    expect(resolvePseudo(bucket?.Resource)).toBe('arn:aws:s3:::*');
    expect(resolvePseudo(bucket?.Condition)).toEqual({
      StringEquals: { 's3:ResourceAccount': '123456789012' },
    });
  });

  it('reads and sets account Block Public Access of its own account only (the actions have no resource type)', () => {
    expect(find(s3Guard, 's3:PutAccountPublicAccessBlock').map(resolvePseudo)).toEqual([
      {
        Action: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
        Effect: 'Allow',
        Resource: '*',
        Condition: { StringEquals: { 's3:ResourceAccount': '123456789012' } },
      },
    ]);
  });

  it('scopes every statement but the S3 ones to one Warden resource', () => {
    for (const statement of s3Guard.filter((s) => !actionsOf(s).some((a) => a.startsWith('s3:')))) {
      expect(Object.keys(statement.Resource as object)).toEqual([
        expect.stringMatching(/^(Ref|Fn::GetAtt)$/),
      ]);
    }
  });

  it('appends audit records and keeps policy baselines: get and put, no query, update or delete', () => {
    expect(find(s3Guard, 'dynamodb:PutItem').map((s) => [s.Resource, actionsOf(s)])).toEqual([
      [
        idempotencyTable,
        ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      ],
      [auditTable, ['dynamodb:GetItem', 'dynamodb:PutItem']],
    ]);
  });

  it('uses the internal key only through SQS, SNS and DynamoDB, and may only describe the bucket key', () => {
    const keyStatements = s3Guard.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn));
    expect(keyStatements.map((s) => [actionsOf(s).join(' '), resolvePseudo(s.Condition)])).toEqual([
      ['kms:Decrypt kms:GenerateDataKey', viaService('sqs')],
      ['kms:Decrypt kms:GenerateDataKey', viaService('sns')],
      ['kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey', viaService('dynamodb')],
    ]);
    expect(s3Guard.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(bucketKeyArn))).toEqual([
      { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: bucketKeyArn },
    ]);
  });

  it('publishes only to the alert topic and writes logs to its own log group only', () => {
    expect(find(s3Guard, 'sns:Publish')).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^AlertTopic/) } },
    ]);
    expect(find(s3Guard, 'logs:PutLogEvents')[0]?.Resource).toEqual(
      arnOf(template, 'AWS::Logs::LogGroup', 'S3GuardLogs'),
    );
  });
});

describe('root-guard role', () => {
  it('in account mode: alerts, idempotency, append-only audit, its queue and logs; no STS, no IAM', () => {
    expect(summary(rootGuard)).toEqual(
      [
        'dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey',
        'kms:Decrypt kms:GenerateDataKey',
        'kms:Decrypt kms:GenerateDataKey',
        'logs:CreateLogStream logs:PutLogEvents',
        'sns:Publish',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(find(rootGuard, 'dynamodb:PutItem').find((s) => actionsOf(s).length === 1)?.Resource).toEqual(
      auditTable,
    );
  });

  it('in organization mode: also sts:AssumeRoot on member roots, for the delete-root-credentials task only', () => {
    const policyFile = policyFileWith(
      [
        'version: 1',
        'deployment:',
        '  mode: organization',
        "  managementAccountId: '111111111111'",
        '  organization:',
        '    organizationId: o-a1b2c3d4e5',
        '    targetOrganizationalUnitIds: [ou-ab12-cdef3456]',
        '    regions: [us-east-1]',
        '',
      ].join('\n'),
    );
    const org = statementsOf(synthHub({ policyFile }).template, 'RootGuardRole');
    expect(find(org, 'sts:AssumeRoot').map(resolvePseudo)).toEqual([
      {
        Action: 'sts:AssumeRoot',
        Effect: 'Allow',
        Resource: 'arn:aws:iam::*:root',
        Condition: {
          ArnEquals: {
            'sts:TaskPolicyArn': 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials',
          },
        },
      },
    ]);
    expect(summary(org).filter((s) => !summary(rootGuard).includes(s))).toEqual(['sts:AssumeRoot']);
  });
});

describe('notify-slack role', () => {
  it('reads only the webhook secret, consumes only the alert queue, dead-letters refused alerts, and writes its logs', () => {
    const secret = { Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'SlackWebhookSecret') };
    expect(find(notifySlack, 'secretsmanager:GetSecretValue')).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: secret },
    ]);
    expect(notifySlack.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'))).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    const queue = arnOf(template, 'AWS::SQS::Queue', 'SlackAlertQueue');
    const deadLetters = arnOf(template, 'AWS::SQS::Queue', 'SlackUndeliveredAlerts');
    for (const statement of notifySlack.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))) {
      expect(statement.Resource).toEqual(
        actionsOf(statement).join() === 'sqs:SendMessage' ? deadLetters : queue,
      );
    }
    expect(find(notifySlack, 'sqs:SendMessage')).toHaveLength(1);
    expect(notifySlack.flatMap(actionsOf).some((a) => /^(s3|sns|iam|sts):/.test(a))).toBe(false);
  });

  it('updates only the message budget items of the idempotency table: UpdateItem, nothing else of DynamoDB', () => {
    expect(notifySlack.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:UpdateItem',
    ]);
    expect(find(notifySlack, 'dynamodb:UpdateItem')).toEqual([
      {
        Action: 'dynamodb:UpdateItem',
        Effect: 'Allow',
        Resource: idempotencyTable,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['slack-budget#*'] } },
      },
    ]);
  });

  it('uses the key for the budget table only through DynamoDB, next to its secret and queue grants', () => {
    const keyStatements = notifySlack.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn));
    expect(keyStatements.map((s) => [actionsOf(s).join(' '), resolvePseudo(s.Condition)])).toEqual([
      ['kms:Decrypt', viaService('secretsmanager')],
      ['kms:Decrypt kms:GenerateDataKey', viaService('sqs')],
      ['kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey', viaService('dynamodb')],
    ]);
  });

  it('decrypts the secret only through Secrets Manager', () => {
    expect(
      notifySlack
        .filter((s) => JSON.stringify(s.Condition ?? {}).includes('secretsmanager'))
        .map((s) => [actionsOf(s), resolvePseudo(s.Condition)]),
    ).toEqual([[['kms:Decrypt'], viaService('secretsmanager')]]);
  });
});

describe('no role outside the functions and forwarding', () => {
  it("has exactly one role per Warden function in the hub, and the sweep trigger's provider role", () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role'));
    const named = roles.map(([, role]) => role.Properties.RoleName).filter(Boolean);
    expect(named.sort()).toEqual(FUNCTION_NAMES.map((name) => `warden-${name}-role`).sort());
    // aws-cdk-lib's provider of the Trigger that starts a sweep after a deployment (infra/constructs/sweep.ts).
    const unnamed = roles.filter(([, role]) => !role.Properties.RoleName).map(([id]) => id);
    expect(unnamed).toEqual([expect.stringMatching(/^AWSCDKTriggerCustomResourceProvider/)]);
  });
});
