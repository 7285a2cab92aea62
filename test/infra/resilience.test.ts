import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '../../infra/constructs/dead-letter-queue.ts';
import { GuardFunction } from '../../infra/constructs/guard-function.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { synthHub } from './support/synth-hub.ts';

const { hub, template } = synthHub();
/** Every dead-letter queue the hub builds (each guard's, each rule's or rule group's, Slack's). */
const deadLetterQueues = hub.node.findAll().filter((node) => node instanceof DeadLetterQueue);
const guards = hub.node.findAll().filter((node) => node instanceof GuardFunction);
const queueId = (prefix: string) => logicalId(template, 'AWS::SQS::Queue', prefix);
const functionId = logicalId(template, 'AWS::Lambda::Function', 'S3GuardFunction');
const keyArn = arnOf(template, 'AWS::KMS::Key', 'Key');
const topicRef = { Ref: Match.stringLikeRegexp('^AlertTopic') };

describe('failure handling', () => {
  it('retries a failed s3-guard invocation twice, then sends it to its dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [queueId('S3GuardFailedEventsQueue'), 'Arn'] } },
      },
    });
  });

  it('gives the rule target an explicit retry policy and its own dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: Match.stringLikeRegexp('s3-guard'),
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 2 * 3600 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [queueId('S3GuardEventsUndeliveredEventsQueue'), 'Arn'] },
          },
        },
      ],
    });
  });

  it('lets only this rule write to the target dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId('S3GuardEventsUndeliveredEventsQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': arnOf(template, 'AWS::Events::Rule', 'S3GuardEventsRule') },
            },
          }),
        ]),
      },
    });
  });

  it('encrypts every dead-letter queue with the Warden key and keeps messages 14 days', () => {
    // The work queues (Slack's alerts, the sweep's items) are not dead-letter queues.
    const queues = Object.entries(template.findResources('AWS::SQS::Queue')).filter(
      ([id]) => !id.startsWith('SlackAlertQueue') && !id.startsWith('SweepItems'),
    );
    // Every guard's on-failure queue, every rule's (or rule group's), Slack's and the sweep's: all alike,
    // the sweep's FIFO as its work queue must be.
    expect(queues.length).toBeGreaterThanOrEqual(deadLetterQueues.length);
    for (const [id, queue] of queues) {
      expect(queue.Properties).toEqual({
        KmsMasterKeyId: keyArn,
        MessageRetentionPeriod: 14 * 24 * 3600,
        ...(id.startsWith('SweepFailedItems') ? { FifoQueue: true } : {}),
      });
    }
  });

  it('refuses non-TLS access to every queue', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    // Each dead-letter queue's and the Slack delivery queue's, at least.
    expect(policies.length).toBeGreaterThanOrEqual(deadLetterQueues.length + 1);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('alarms', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

  it.each([
    ['function dead-letter queue depth', 'ApproximateNumberOfMessagesVisible', 'S3GuardFailedEventsQueue'],
    [
      'rule dead-letter queue depth',
      'ApproximateNumberOfMessagesVisible',
      'S3GuardEventsUndeliveredEventsQueue',
    ],
  ])('fires on the first message in the %s', (_name, metric, queue) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: metric,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(queue), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
    });
  });

  it.each(['Errors', 'Throttles'])('fires on any s3-guard %s', (metric) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
    });
  });

  it.each([
    ['s3-guard', 'EventsRejected'],
    ['s3-guard', 'RemediationFailures'],
    ['root-guard', 'EventsRejected'],
    ['root-guard', 'RemediationFailures'],
    ['notify-slack', 'SlackDeliveryPermanentFailures'],
  ])('fires on the first %s %s (custom metric)', (service, metric) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Warden',
      MetricName: metric,
      Dimensions: [{ Name: 'service', Value: service }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
    });
  });

  it('sends every alarm to the alert topic and none of them fires on missing data', () => {
    // At least one per dead-letter queue, and errors and throttles per function (guards add failure metrics).
    expect(alarms.length).toBeGreaterThanOrEqual(deadLetterQueues.length + 2 * guards.length);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });
});
