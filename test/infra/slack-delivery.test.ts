import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const json = JSON.stringify(template.toJSON());
const queueId = logicalId(template, 'AWS::SQS::Queue', 'SlackAlertQueue');
const functionId = logicalId(template, 'AWS::Lambda::Function', 'SlackNotifySlackFunction');
const fn = template.findResources('AWS::Lambda::Function')[functionId];

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
