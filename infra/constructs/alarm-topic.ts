import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#shared/observability/observability.ts';

/** Every Warden alarm notifies the alert topic, which people already watch (Slack). */
export function notifyOnAlarm(alarm: cloudwatch.Alarm, topic: sns.ITopic): cloudwatch.Alarm {
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}

/**
 * An alarm on the first count of one of Warden's own metrics (shared/observability) for one service: its
 * sum over 5 minutes above 0, missing data not breaching, notifying the topic.
 */
export function firstCountAlarm(
  scope: Construct,
  id: string,
  props: { readonly service: string; readonly metricName: string; readonly alarmDescription: string },
  topic: sns.ITopic,
): cloudwatch.Alarm {
  return notifyOnAlarm(
    new cloudwatch.Alarm(scope, id, {
      alarmDescription: props.alarmDescription,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: props.metricName,
        dimensionsMap: { service: props.service },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    topic,
  );
}

/**
 * A topic policy (`enforceSSL` creates one) replaces SNS's default policy, which is what lets
 * CloudWatch publish alarm notifications: allow CloudWatch of this account explicitly.
 */
export function allowAlarmPublishing(topic: sns.Topic): void {
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(topic).account } },
    }),
  );
}

/**
 * An alarm on the first failed delivery of any of these EventBridge rules (their `FailedInvocations`
 * summed over 5 minutes): a forwarded event that cannot reach the hub is retried, then dead-lettered.
 */
export function failedForwardsAlarm(
  scope: Construct,
  ruleNames: readonly string[],
  alarmDescription: string,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'FailedForwardsAlarm', {
    alarmDescription,
    metric: new cloudwatch.MathExpression({
      expression: ruleNames.map((_, index) => `f${index}`).join(' + ') || '0',
      usingMetrics: Object.fromEntries(
        ruleNames.map((ruleName, index) => [
          `f${index}`,
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: ruleName },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
        ]),
      ),
      period: Duration.minutes(5),
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
