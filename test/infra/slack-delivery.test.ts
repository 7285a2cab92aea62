import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { NOTIFY_SLACK_ENV } from '#shared/slack/config.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const json = JSON.stringify(template.toJSON());
const queueId = logicalId(template, 'AWS::SQS::Queue', 'SlackAlertQueue');
const functionId = logicalId(template, 'AWS::Lambda::Function', 'SlackNotifySlackFunction');
const fn = template.findResources('AWS::Lambda::Function')[functionId];
const deadLetterQueueId = logicalId(template, 'AWS::SQS::Queue', 'SlackUndeliveredAlerts');

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** The statements of the policies attached to notify-slack's role. */
function notifySlackStatements(): Statement[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', 'SlackNotifySlackRole');
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('Slack delivery', () => {
  it('creates the webhook secret by name, with a placeholder and no URL, encrypted with the Warden key', () => {
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secret?.Properties).toMatchObject({
      Name: 'warden/slack-webhook-url',
      KmsKeyId: arnOf(template, 'AWS::KMS::Key', 'Key'),
      SecretString: expect.stringMatching(/^REPLACE-ME/),
    });
    expect(json).not.toMatch(/hooks\.slack\.com/);
    expect(
      Object.keys(template.toJSON().Parameters ?? {}).filter((name) => !name.startsWith('BootstrapVersion')),
    ).toEqual([]);
  });

  it('gives notify-slack the secret ARN, not its value', () => {
    expect(fn?.Properties.Environment.Variables[ENV.slackWebhookSecretArn]).toEqual({
      Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'SlackWebhookSecret'),
    });
  });

  it('subscribes a KMS-encrypted queue to the alert topic, which only that topic may write to', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      TopicArn: { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlertTopic') },
    });
    const queue = template.findResources('AWS::SQS::Queue')[queueId];
    expect(queue?.Properties.KmsMasterKeyId).toEqual(arnOf(template, 'AWS::KMS::Key', 'Key'));
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter(
      (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    const allows = policy?.Properties.PolicyDocument.Statement.filter(
      (s: { Effect: string }) => s.Effect === 'Allow',
    );
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: {
          ArnEquals: { 'aws:SourceArn': { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlertTopic') } },
        },
      }),
    ]);
  });

  it('keeps messages invisible for at least six function timeouts and dead-letters after five receives', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId];
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn?.Properties.Timeout);
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: {
        'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'SlackUndeliveredAlerts'), 'Arn'],
      },
      maxReceiveCount: 5,
    });
  });

  it('feeds notify-slack in batches of 200 within 20 s, partial failures reported, two at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId },
      BatchSize: 200,
      MaximumBatchingWindowInSeconds: 20,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('gives notify-slack the URL of the dead-letter queue, for alerts Slack refused for good', () => {
    expect(fn?.Properties.Environment.Variables[NOTIFY_SLACK_ENV.deadLetterQueueUrl]).toEqual({
      Ref: deadLetterQueueId,
    });
  });

  it('lets notify-slack only send to the dead-letter queue, and use the key for it only through SQS', () => {
    const deadLetterQueue = { 'Fn::GetAtt': [deadLetterQueueId, 'Arn'] };
    const onDeadLetterQueue = notifySlackStatements().filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(deadLetterQueue),
    );
    expect(onDeadLetterQueue).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage' })]);
    const keyForSqs = notifySlackStatements().filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes('sqs.us-east-1.amazonaws.com'),
    );
    expect(keyForSqs).toEqual([
      expect.objectContaining({
        // Sorted: CDK's minimizePolicies flag orders actions alphabetically.
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: arnOf(template, 'AWS::KMS::Key', 'Key'),
      }),
    ]);
  });

  it('grants notify-slack no kms:Decrypt on the internal key outside a kms:ViaService condition', () => {
    const key = JSON.stringify(arnOf(template, 'AWS::KMS::Key', 'Key'));
    const decryptsKey = notifySlackStatements().filter(
      (s) => [s.Action].flat().includes('kms:Decrypt') && JSON.stringify(s.Resource) === key,
    );

    expect(decryptsKey.length).toBeGreaterThan(0);
    expect(decryptsKey.filter((s) => !JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'))).toEqual(
      [],
    );
  });

  it("gives notify-slack the idempotency table, home of its message budget, in the guards' variable", () => {
    expect(fn?.Properties.Environment.Variables[ENV.idempotencyTable]).toEqual({
      Ref: logicalId(template, 'AWS::DynamoDB::Table', 'StateIdempotency'),
    });
  });

  it('lets notify-slack only update budget items of the idempotency table, with the key only through DynamoDB', () => {
    const table = arnOf(template, 'AWS::DynamoDB::Table', 'StateIdempotency');
    const onTable = notifySlackStatements().filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(table),
    );
    expect(onTable).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['slack-budget#*'] } },
      }),
    ]);
    const keyForDynamoDb = notifySlackStatements().filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes('dynamodb.us-east-1.amazonaws.com'),
    );
    expect(keyForDynamoDb).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: arnOf(template, 'AWS::KMS::Key', 'Key'),
      }),
    ]);
  });

  it('has no asynchronous-invocation queue: the SQS redrive policy catches failures', () => {
    expect(
      Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map(
        (c) => c.Properties.FunctionName,
      ),
    ).not.toContainEqual({ Ref: functionId });
  });

  it('alarms on the age of the oldest alert', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 900,
    });
  });
});
