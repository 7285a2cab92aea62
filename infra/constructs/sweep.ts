import { Annotations, type CfnResource, type CustomResource, Duration, FileSystem, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { ENV } from '#shared/config/env-names.ts';
import type { FunctionName, ResourceNames } from '#shared/config/names.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { firstCountAlarm } from './alarm-topic.ts';
import { RULE_TARGET_MAX_EVENT_AGE, RULE_TARGET_RETRY_ATTEMPTS } from './cloudtrail-rule.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { GuardFunction } from './guard-function.ts';

/** One work item (a page of a listing, 50 buckets, an account's settings) fits well within this. */
export const SWEEP_WORKER_TIMEOUT = Duration.minutes(10);
/** Listing the organization's accounts and sending their first items. */
export const SWEEP_PLANNER_TIMEOUT = Duration.minutes(10);
/** AWS: at least six times the function timeout, so a throttled or retried batch is not redelivered meanwhile. */
export const SWEEP_QUEUE_VISIBILITY = Duration.minutes(SWEEP_WORKER_TIMEOUT.toMinutes() * 6);
/** An item that failed three times is parked in the dead-letter queue (and alarmed), never retried forever. */
export const SWEEP_MAX_RECEIVE_COUNT = 3;
/** Lambda's lowest `maxConcurrency` for an SQS event source. */
export const LAMBDA_MIN_SQS_CONCURRENCY = 2;

/** The id aws-cdk-lib gives the Trigger's custom resource provider at the stack's root. */
const TRIGGER_PROVIDER_ID = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';

/**
 * Metrics the sweep worker reports once per completed sweep (namespace Warden, service sweep-worker)
 * that are alarmed at the first one, with what they mean.
 */
const SWEEP_ALARMS: Record<'SweepDrift' | 'SweepFailures', string> = {
  SweepDrift:
    'Warden: the sweep repaired drift the events missed (a change Warden never saw): the event path is broken ' +
    'somewhere (trail, forwarder, spoke or rule). See the sweep digest.',
  SweepFailures:
    'Warden: the sweep could not check or repair some resources (access denied, missing member role, ' +
    'throttling). See the sweep digest.',
};

export interface SweepProps {
  readonly names: ResourceNames;
  readonly policy: Policy;
  /** Warden's internal key: the queues, topic and tables. */
  readonly encryptionKey: kms.IKey;
  /** What the worker points buckets at in the home region. */
  readonly bucketKey: kms.IKey;
  readonly alertTopic: sns.ITopic;
  readonly idempotencyTable: dynamodb.ITable;
  readonly auditTable: dynamodb.ITable;
  readonly ownSessionArns: readonly string[];
  readonly serialisedPolicy: string;
  /** Bucket actions the worker needs, as s3-guard's (the sweep runs s3-guard's controls). */
  readonly bucketActions: readonly string[];
  /** The worker also repairs buckets of forwarding regions, with the Warden key there (by alias). */
  readonly describeKeysByAlias: boolean;
  readonly bundleDirs?: Partial<Record<FunctionName, string>>;
  /** Constructs the first sweep waits for besides the sweep's own (the state tables). */
  readonly executeAfter: readonly Construct[];
}

/**
 * The scheduled sweep of existing resources (issue 10): the planner, started by an EventBridge schedule
 * and once after every deployment that changes Warden, puts one set of work items per account on a FIFO
 * queue (message group = account); the worker consumes it one item at a time, at most
 * `accountsInParallel` items (so accounts) at once, one item per account at a time (message groups).
 */
export class Sweep extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly planner: GuardFunction;
  readonly worker: GuardFunction;
  readonly eventSource: lambda.EventSourceMapping;
  readonly schedule: events.Rule;
  readonly trigger: triggers.Trigger;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const { names, encryptionKey: key, alertTopic, policy } = props;
    this.deadLetters = new DeadLetterQueue(this, 'FailedItems', {
      encryptionKey: key,
      alertTopic,
      fifo: true,
      purpose: `sweep work items the sweep worker failed ${SWEEP_MAX_RECEIVE_COUNT} times`,
    });
    this.queue = new sqs.Queue(this, 'Items', {
      // Short and fixed: its URL is in both functions' environment, which Lambda caps at 4 KB with the policy.
      queueName: `${names.prefix}-sweep.fifo`,
      fifo: true,
      // The sender sets MessageDeduplicationId (the item's key); high-throughput FIFO: limits per account.
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      visibilityTimeout: SWEEP_QUEUE_VISIBILITY,
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: SWEEP_MAX_RECEIVE_COUNT },
    });

    const common = (name: FunctionName, timeout: Duration, invokedAsynchronously: boolean) =>
      new GuardFunction(this, name === 'sweep-planner' ? 'Planner' : 'Worker', {
        name,
        names,
        encryptionKey: key,
        alarmTopic: alertTopic,
        bundleDir: props.bundleDirs?.[name],
        timeout,
        invokedAsynchronously,
      })
        .bindOwnSessionArns(props.ownSessionArns)
        .bindPolicy(props.serialisedPolicy);

    // The planner only reads the configuration s3-guard's has: no key, topic or idempotency grant.
    this.planner = common('sweep-planner', SWEEP_PLANNER_TIMEOUT, true)
      .bindConfigOnly(ENV.kmsKeyArn, props.bucketKey.keyArn)
      .bindConfigOnly(ENV.alertTopicArn, alertTopic.topicArn)
      .bindConfigOnly(ENV.idempotencyTable, props.idempotencyTable.tableName)
      .bindAuditTable(props.auditTable, key, 'sweep-ledger')
      .bindSweepQueue(this.queue, key, 'send');
    if (policy.deployment.mode === 'organization') this.planner.allowListingOrganizationAccounts();

    // The worker runs s3-guard's pipeline: its access to buckets and the account, plus listing and the ledger.
    this.worker = common('sweep-worker', SWEEP_WORKER_TIMEOUT, false)
      .bindKmsKey(props.bucketKey)
      .bindAlertTopic(alertTopic, key)
      .bindIdempotencyTable(props.idempotencyTable, key)
      .bindAuditTable(props.auditTable, key, 'sweep-ledger')
      .bindSweepQueue(this.queue, key, 'send-and-consume')
      .allowOnEveryBucket(props.bucketActions)
      .allowAccountPublicAccessBlock()
      .allowListingBucketsAndAccountSummary();
    if (props.describeKeysByAlias) this.worker.allowDescribingKeysByAlias(names.kmsKeyAlias);

    this.eventSource = this.worker.function.addEventSourceMapping('Items', {
      eventSourceArn: this.queue.queueArn,
      batchSize: 1,
      // The per-account cap is the message group; this caps the accounts (groups) worked on at once.
      maxConcurrency: Math.max(LAMBDA_MIN_SQS_CONCURRENCY, policy.sweep.accountsInParallel),
      reportBatchItemFailures: true,
    });

    const undelivered = new DeadLetterQueue(this, 'UndeliveredSchedules', {
      encryptionKey: key,
      alertTopic,
      purpose: `sweep schedules EventBridge could not deliver to ${this.planner.function.functionName}`,
    });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Warden sweep of existing resources (${policy.sweep.schedule}, from the policy file)`,
      schedule: events.Schedule.expression(policy.sweep.schedule),
      targets: [
        new targets.LambdaFunction(this.planner.function, {
          retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
          maxEventAge: RULE_TARGET_MAX_EVENT_AGE,
          deadLetterQueue: undelivered.queue,
        }),
      ],
    });

    this.trigger = this.sweepAfterDeployment(props.executeAfter);
    this.alarms = Object.entries(SWEEP_ALARMS).map(([metricName, alarmDescription]) =>
      firstCountAlarm(
        this,
        `${metricName}Alarm`,
        { service: 'sweep-worker' satisfies FunctionName, metricName, alarmDescription },
        alertTopic,
      ),
    );
  }

  /**
   * One sweep once the worker, the queue and the tables exist, after every deployment that changes the
   * planner (its code or configuration, the policy included: a new version) or the worker's bundle (its
   * fingerprint below). Invoked asynchronously: a failing sweep never rolls the deployment back, it is
   * retried and dead-lettered as the schedule's are.
   */
  private sweepAfterDeployment(executeAfter: readonly Construct[]): triggers.Trigger {
    const trigger = new triggers.Trigger(this, 'AfterDeployment', {
      handler: this.planner.function,
      invocationType: triggers.InvocationType.EVENT,
      executeOnHandlerChange: true,
      executeAfter: [this.worker, this.queue, this.deadLetters, this.eventSource, ...executeAfter],
    });
    const resource = (trigger.node.defaultChild as CustomResource).node.defaultChild as CfnResource;
    resource.addPropertyOverride('WorkerBundle', FileSystem.fingerprint(this.worker.bundleDir));
    // The provider (one per stack, made by aws-cdk-lib) lists its role in DependsOn as well as in a GetAtt,
    // which cfn-lint reports as redundant (as for every GuardFunction); the ordering is intended.
    const provider = Stack.of(this)
      .node.findChild(TRIGGER_PROVIDER_ID)
      .node.findChild('Handler') as CfnResource;
    provider.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    // The trigger's provider invokes the version through its role's policy, not a resource-based permission.
    Annotations.of(this.planner.function).acknowledgeWarning(
      '@aws-cdk/aws-lambda:addPermissionsToVersionOrAlias',
      'Only the schedule rule has a resource-based permission (on the function); the trigger invokes the version by IAM.',
    );
    return trigger;
  }
}
