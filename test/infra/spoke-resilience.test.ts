import { describe, expect, it } from 'vitest';
import { resourceNames, spokeRuleName } from '#shared/config/names.ts';
import { synthOrganization } from './support/org-synth.ts';

/*
 * Organization mode: a member event the hub bus refuses (throttling, a bus policy that changed,
 * the hub region down past the retries) must land in a dead-letter queue of the member account,
 * with an alarm, as it does for the account-mode forwarders.
 */
const { spokeTemplate } = synthOrganization();
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
type Properties = Record<string, any>;
type Resource = { Type: string; Properties: Properties; Condition?: string };
const resources = spokeTemplate.toJSON().Resources as Record<string, Resource>;
const conditions = spokeTemplate.toJSON().Conditions as Record<string, unknown>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const rules = ofType('AWS::Events::Rule');
const [queueEntry, ...otherQueues] = ofType('AWS::SQS::Queue');
const [queueId, queue] = queueEntry ?? [];
const [topicEntry] = ofType('AWS::SNS::Topic');
const [topicId, topic] = topicEntry ?? [];
const names = resourceNames();

describe('spoke dead-letter queue', () => {
  it('is one queue, encrypted, kept 14 days, created wherever a rule forwards', () => {
    expect(otherQueues).toEqual([]);
    expect(queue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(queue?.Condition).toBe('ForwardsEvents');
  });

  it('receives what every forwarding rule fails to deliver, after the retries', () => {
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const [, rule] of rules) {
      const [target] = rule.Properties.Targets;
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7_200 });
      // A rule exists only where the queue does.
      expect(JSON.stringify(conditions[rule.Condition as string])).toContain('HubAccountId');
    }
  });

  it('admits only the spoke rules, by ARN, over TLS', () => {
    const [, policy] =
      ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
        JSON.stringify(p.Properties.Queues).includes(queueId as string),
      ) ?? [];
    const statements = policy?.Properties.PolicyDocument.Statement as Properties[];
    const allow = statements.find((s) => s.Effect === 'Allow');
    expect(allow).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    const sourceArns = JSON.stringify(allow?.Condition.ArnEquals['aws:SourceArn']);
    for (const [, rule] of rules) expect(sourceArns).toContain(`:rule/${rule.Properties.Name}`);
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s).includes('SecureTransport'))).toBe(
      true,
    );
    expect(policy?.Condition).toBe('ForwardsEvents');
  });
});

describe('spoke alarms', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
  const notifiesTopic = (alarm: Resource) =>
    JSON.stringify(alarm.Properties.AlarmActions) === JSON.stringify([{ Ref: topicId }]);

  it("notify a topic of the member account's own region, which CloudWatch may publish to", () => {
    expect(topic?.Properties.TopicName).toBe(`${names.prefix}-spoke-alarms`);
    expect(topic?.Condition).toBe('ForwardsEvents');
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    for (const alarm of alarms) {
      expect(notifiesTopic(alarm)).toBe(true);
      expect(alarm.Condition).toBe('ForwardsEvents');
    }
    const [, topicPolicy] = ofType('AWS::SNS::TopicPolicy')[0] ?? [];
    expect(JSON.stringify(topicPolicy?.Properties.PolicyDocument)).toContain('cloudwatch.amazonaws.com');
  });

  it('fire on the first dead-lettered event', () => {
    const depth = alarms.find(
      (alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(depth?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('fire on the first failed delivery of any spoke rule', () => {
    const failed = alarms.find((alarm) => JSON.stringify(alarm.Properties).includes('FailedInvocations'));
    const metrics = JSON.stringify(failed?.Properties.Metrics);
    for (const kind of [
      's3',
      's3Account',
      'rootAccessKeyCreated',
      'rootConsoleSignIn',
      'rootCredentialChanged',
    ] as const)
      expect(metrics).toContain(`"Value":"${spokeRuleName(names, kind)}"`);
    expect(failed?.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});
