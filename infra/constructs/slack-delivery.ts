import { Duration, SecretValue, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '#shared/config/env-names.ts';
import type { ResourceNames } from '#shared/config/names.ts';
import { NOTIFY_SLACK_ENV } from '#shared/slack/config.ts';
import { BUDGET_KEY_PREFIX } from '#shared/slack/slack-budget.ts';
import { firstCountAlarm, notifyOnAlarm } from './alarm-topic.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { GuardFunction } from './guard-function.ts';

/** Not a URL: notify-slack refuses it with a message saying to store the webhook URL. */
export const WEBHOOK_PLACEHOLDER =
  'REPLACE-ME: put the Slack incoming-webhook URL here (see README, Deployment)';
export const NOTIFY_SLACK_TIMEOUT = Duration.seconds(60);
/** AWS's guidance for SQS event sources: visibility at least six times the function timeout. */
export const ALERT_QUEUE_VISIBILITY = Duration.seconds(NOTIFY_SLACK_TIMEOUT.toSeconds() * 6);
/**
 * Storms: up to 200 alerts per invocation become a few messages and a digest; across invocations,
 * a message budget in the idempotency table bounds the alert messages in any 5 minutes
 * (shared/slack/slack-budget.ts).
 */
export const ALERT_BATCH_SIZE = 200;
export const ALERT_BATCH_WINDOW = Duration.seconds(20);
/**
 * Slack allows about one message per second per webhook: two concurrent senders at most, taking
 * turns through a shared send pace in the idempotency table (functions/notify-slack/webhook-pace.ts),
 * so neither waits for a visibility timeout because the other got the webhook first. Two, not one:
 * a batch posts at most a dozen messages, and a second consumer keeps a storm's later batches (and
 * alarms) from waiting behind a slow invocation.
 */
export const ALERT_MAX_CONCURRENCY = 2;
/** Receives before an alert is dead-lettered (429s and 5xx are retried inside an invocation first). */
export const ALERT_MAX_RECEIVE_COUNT = 5;
/** An alert older than this has not reached Slack in time. */
export const ALERT_MAX_AGE = Duration.minutes(15);

export interface SlackDeliveryProps {
  readonly names: ResourceNames;
  readonly alertTopic: sns.ITopic;
  readonly encryptionKey: kms.IKey;
  /** The idempotency table (encrypted with `encryptionKey`): notify-slack keeps its message budget there. */
  readonly idempotencyTable: dynamodb.ITable;
  readonly bundleDir?: string;
}

/**
 * Alert topic → encrypted SQS queue → notify-slack (batched, partial failures) → Slack webhook.
 * The webhook URL lives in a Secrets Manager secret the stack creates with a placeholder value;
 * the URL itself never appears in the template or a parameter.
 */
export class SlackDelivery extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly notifySlack: GuardFunction;

  constructor(scope: Construct, id: string, props: SlackDeliveryProps) {
    super(scope, id);
    const { names, alertTopic, encryptionKey } = props;

    this.secret = new secretsmanager.Secret(this, 'WebhookSecret', {
      secretName: names.slackWebhookSecret,
      description:
        'Warden: the Slack incoming-webhook URL (plain text or {"url": "..."}). Set it with ' +
        `aws secretsmanager put-secret-value --secret-id ${names.slackWebhookSecret} --secret-string <url>`,
      encryptionKey,
      secretStringValue: SecretValue.unsafePlainText(WEBHOOK_PLACEHOLDER),
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A Slack incoming-webhook URL cannot be rotated by a Lambda rotation function: Slack issues a new URL ' +
          'only in its app settings, after which a person stores it here.',
      },
    ]);

    this.deadLetters = new DeadLetterQueue(this, 'UndeliveredAlerts', {
      encryptionKey,
      alertTopic,
      purpose: `alerts Slack refused, or notify-slack could not deliver in ${ALERT_MAX_RECEIVE_COUNT} attempts,`,
    });
    this.queue = new sqs.Queue(this, 'AlertQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
      visibilityTimeout: ALERT_QUEUE_VISIBILITY,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: ALERT_MAX_RECEIVE_COUNT },
    });
    // Not SqsSubscription: it would add a key-policy statement naming the topic, and the topic is
    // encrypted with that key (a dependency cycle). The key already lets SNS of this account use it.
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheAlertTopic',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': alertTopic.topicArn } },
      }),
    );
    // The envelope is kept (no raw delivery): notify-slack reads the SNS message attributes too.
    const subscription = new sns.Subscription(this, 'AlertSubscription', {
      topic: alertTopic,
      protocol: sns.SubscriptionProtocol.SQS,
      endpoint: this.queue.queueArn,
    });
    // The queue policy must exist before SNS delivers the subscription confirmation.
    const queuePolicy = this.queue.node.tryFindChild('Policy');
    if (queuePolicy) subscription.node.addDependency(queuePolicy);

    this.notifySlack = new GuardFunction(this, 'NotifySlack', {
      name: 'notify-slack',
      names,
      encryptionKey,
      alarmTopic: alertTopic,
      bundleDir: props.bundleDir,
      timeout: NOTIFY_SLACK_TIMEOUT,
      memorySize: 256,
      invokedAsynchronously: false,
    }).bindSlackWebhookSecret(this.secret, encryptionKey);
    this.bindDeadLetterQueue(encryptionKey);
    this.bindMessageBudget(props.idempotencyTable, encryptionKey);
    // The event source grants consumption of the queue it is given, and for a queue with a key also
    // kms:Decrypt on that key with no condition. It gets the queue by reference without its key: the
    // decryption SQS does for the event source mapping is the kms:ViaService sqs grant above.
    const queueWithoutKeyGrant = sqs.Queue.fromQueueAttributes(this, 'AlertQueueForEventSource', {
      queueArn: this.queue.queueArn,
      queueUrl: this.queue.queueUrl,
      queueName: this.queue.queueName,
    });
    this.notifySlack.function.addEventSource(
      new lambdaEvents.SqsEventSource(queueWithoutKeyGrant, {
        batchSize: ALERT_BATCH_SIZE,
        maxBatchingWindow: ALERT_BATCH_WINDOW,
        reportBatchItemFailures: true,
        maxConcurrency: ALERT_MAX_CONCURRENCY,
      }),
    );

    firstCountAlarm(
      this,
      'PermanentFailuresAlarm',
      {
        service: 'notify-slack',
        metricName: 'SlackDeliveryPermanentFailures',
        alarmDescription:
          'Warden: Slack refused alerts permanently (404/410/403/400: webhook gone, channel archived, payload ' +
          'invalid). Check the webhook secret, then redrive the dead-letter queue; the alerts are also in the audit trail.',
      },
      alertTopic,
    );
    notifyOnAlarm(
      new cloudwatch.Alarm(this, 'QueueAgeAlarm', {
        alarmDescription: `Warden: alerts have waited over ${ALERT_MAX_AGE.toMinutes()} minutes for Slack delivery.`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: ALERT_MAX_AGE.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      alertTopic,
    );
  }

  /**
   * notify-slack sends an alert Slack refused for good straight to the dead-letter queue (retrying
   * would get the same answer): its URL in the environment, and only sqs:SendMessage on that queue,
   * with the key use SQS needs to encrypt the message (kms:ViaService sqs).
   */
  private bindDeadLetterQueue(key: kms.IKey): void {
    const { queue } = this.deadLetters;
    this.notifySlack.function.addEnvironment(NOTIFY_SLACK_ENV.deadLetterQueueUrl, queue.queueUrl);
    this.notifySlack.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    this.notifySlack.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * The shared message budget and send pace (functions/notify-slack/dynamodb-budget.ts, webhook-pace.ts):
   * the table's name in the environment the guards read it from, dynamodb:UpdateItem only (conditional
   * updates, which also return the item when their condition fails) and only on the budget's own items
   * (`slack-budget#sent`, `slack-budget#pace`: dynamodb:LeadingKeys), never the guards' idempotency records; and the key
   * use DynamoDB needs for the encrypted table, only through DynamoDB (as the guards have it).
   */
  private bindMessageBudget(table: dynamodb.ITable, key: kms.IKey): void {
    this.notifySlack.function.addEnvironment(ENV.idempotencyTable, table.tableName);
    this.notifySlack.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${BUDGET_KEY_PREFIX}*`] } },
      }),
    );
    this.notifySlack.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
