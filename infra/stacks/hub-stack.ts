import { CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  type ForwardedEvents,
  type FunctionName,
  ONE_INSTALL_PER_ACCOUNT,
  type ResourceNames,
  resourceNames,
} from '#shared/config/names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { ROOT_EVENT_KINDS } from '#shared/events/root-event-patterns.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { ForwarderRegion } from '../config/deployment-regions.ts';
import { forwardingRuleArn } from '../config/forwarding.ts';
import { ownSessionArns } from '../config/own-sessions.ts';
import { policyEnvironmentValue } from '../config/policy-environment.ts';
import { tamperKindsOf } from '../config/tamper-forwarding.ts';
import { allowAlarmPublishing, firstCountAlarm } from '../constructs/alarm-topic.ts';
import { CloudTrailRule } from '../constructs/cloudtrail-rule.ts';
import { WardenDashboard } from '../constructs/dashboard.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { GuardFunction } from '../constructs/guard-function.ts';
import { importFindingsIntoSecurityHub } from '../constructs/security-hub-findings.ts';
import { SlackDelivery } from '../constructs/slack-delivery.ts';
import { StateTables } from '../constructs/state-tables.ts';
import { Sweep } from '../constructs/sweep.ts';
import { TamperGuard } from '../constructs/tamper-guard.ts';
import { WardenKey } from '../constructs/warden-key.ts';
import { rootGuardPattern, s3GuardPattern } from '../events/cloudtrail-pattern.ts';

/**
 * Read and write exactly the bucket settings s3-guard's readers (shared/s3/bucket-state.ts) and
 * appliers (shared/s3/bucket-actions.ts, for the actions its controls plan) call. The undo-only
 * deletes (encryption, ownership controls) run from the CLI with the user's credentials.
 */
export const S3_GUARD_BUCKET_ACTIONS = [
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
] as const;

/** Guard metrics (shared/observability) that mean an event or a repair was lost: alarm on the first. */
export const GUARD_FAILURE_METRICS = ['EventsRejected', 'RemediationFailures'] as const;

export interface HubStackProps extends StackProps {
  /** The validated policy file (see infra/app.ts). */
  readonly policy: Policy;
  readonly names?: ResourceNames;
  /** Bundle folders by function; defaults to the `npm run build` output in dist/functions. */
  readonly bundleDirs?: Partial<Record<FunctionName, string>>;
  /** Regions whose forwarders send events to this hub's default bus (none: the hub is alone). */
  readonly forwarders?: readonly ForwarderRegion[];
}

/**
 * The hub: Warden's key, alert topic, state tables, guard functions, their rules on the default
 * bus (which also receives what the forwarders of other regions send), and Slack delivery.
 */
export class HubStack extends Stack {
  /** Warden's own topic, queues, tables and secret. */
  readonly key: WardenKey;
  /** What s3-guard points this account's buckets in the home region at. */
  readonly bucketKey: WardenKey;
  readonly alertTopic: sns.Topic;
  readonly tables: StateTables;
  readonly s3Guard: GuardFunction;
  readonly rootGuard: GuardFunction;
  readonly slack: SlackDelivery;
  /** tamper-guard and its rules: what would blind Warden or destroy the data it protects. */
  readonly tamperGuard: TamperGuard;
  /** Warden's operations dashboard; every Slack alert links to it. */
  readonly dashboard: WardenDashboard;
  /** The scheduled sweep of existing resources; absent when `sweep.enabled` is false. */
  readonly sweep?: Sweep;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    refuseAnotherHubInTheAccount(this);
    const names = props.names ?? resourceNames();
    // At deploy: a second install in this account, whatever its region or prefix, fails on this name.
    new iam.CfnGroup(this, 'OneInstallPerAccount', { groupName: ONE_INSTALL_PER_ACCOUNT, path: '/warden/' });
    // Serialised first: an oversized policy fails synth before anything else is built.
    const serialisedPolicy = policyEnvironmentValue(props.policy);
    const ownSessions = ownSessionArns(this, names);

    this.key = new WardenKey(this, 'Key', { alias: names.internalKeyAlias, purpose: 'internal' });
    const key = this.key.key;
    this.bucketKey = new WardenKey(this, 'BucketKey', { alias: names.kmsKeyAlias, purpose: 'buckets' });
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      topicName: names.alertTopic,
      displayName: 'Warden alerts',
      masterKey: key,
      enforceSSL: true,
    });
    allowAlarmPublishing(this.alertTopic);
    this.tables = new StateTables(this, 'State', { names, encryptionKey: key });

    this.s3Guard = new GuardFunction(this, 'S3Guard', {
      name: 's3-guard',
      names,
      encryptionKey: key,
      alarmTopic: this.alertTopic,
      bundleDir: props.bundleDirs?.['s3-guard'],
    })
      .bindKmsKey(this.bucketKey.key)
      .bindAlertTopic(this.alertTopic, key)
      .bindIdempotencyTable(this.tables.idempotency, key)
      .bindAuditTable(this.tables.audit, key, 'append-and-baselines')
      .bindOwnSessionArns(ownSessions)
      .bindPolicy(serialisedPolicy)
      .allowOnEveryBucket(S3_GUARD_BUCKET_ACTIONS)
      .allowAccountPublicAccessBlock();
    // Buckets in forwarding regions get the key the forwarder stack made there (same alias).
    const describeKeysByAlias = (props.forwarders ?? []).some((forwards) => forwards.s3);
    if (describeKeysByAlias) this.s3Guard.allowDescribingKeysByAlias(names.kmsKeyAlias);

    new CloudTrailRule(this, 'S3GuardEvents', {
      description: 'Warden s3-guard: bucket and account S3 settings changes (this and forwarding regions)',
      eventPattern: s3GuardPattern(ownSessions),
      target: this.s3Guard.function,
      encryptionKey: key,
      alarmTopic: this.alertTopic,
    });

    this.rootGuard = new GuardFunction(this, 'RootGuard', {
      name: 'root-guard',
      names,
      encryptionKey: key,
      alarmTopic: this.alertTopic,
      bundleDir: props.bundleDirs?.['root-guard'],
    })
      .bindAlertTopic(this.alertTopic, key)
      .bindIdempotencyTable(this.tables.idempotency, key)
      .bindAuditTable(this.tables.audit, key, 'append')
      .bindPolicy(serialisedPolicy);
    if (props.policy.deployment.mode === 'organization')
      this.rootGuard.allowAssumeRootToDeleteRootCredentials();

    // In us-east-1 these match the account's own IAM and sign-in events; elsewhere, the same
    // events as the us-east-1 forwarder sends them (forwarding keeps the event as it was).
    for (const kind of ROOT_EVENT_KINDS) {
      new CloudTrailRule(this, `RootGuard-${kind}`, {
        description: `Warden root-guard: ${kind} (IAM and sign-in events exist only in us-east-1)`,
        eventPattern: rootGuardPattern(kind),
        target: this.rootGuard.function,
        encryptionKey: key,
        alarmTopic: this.alertTopic,
      });
    }

    // Warden's keys and the keys buckets use, the trail, Warden's own rules (README, "tamper-guard").
    this.tamperGuard = new TamperGuard(this, 'TamperGuard', {
      names,
      policy: props.policy,
      serialisedPolicy,
      ownSessionArns: ownSessions,
      encryptionKey: key,
      bucketKey: this.bucketKey.key,
      alertTopic: this.alertTopic,
      idempotencyTable: this.tables.idempotency,
      auditTable: this.tables.audit,
      bundleDir: props.bundleDirs?.['tamper-guard'],
    });

    this.slack = new SlackDelivery(this, 'Slack', {
      names,
      alertTopic: this.alertTopic,
      encryptionKey: key,
      idempotencyTable: this.tables.idempotency,
      bundleDir: props.bundleDirs?.['notify-slack'],
    });

    if (props.policy.sweep.enabled)
      this.sweep = new Sweep(this, 'Sweep', {
        names,
        policy: props.policy,
        encryptionKey: key,
        bucketKey: this.bucketKey.key,
        alertTopic: this.alertTopic,
        idempotencyTable: this.tables.idempotency,
        auditTable: this.tables.audit,
        ownSessionArns: ownSessions,
        serialisedPolicy,
        bucketActions: S3_GUARD_BUCKET_ACTIONS,
        describeKeysByAlias,
        bundleDirs: props.bundleDirs,
        executeAfter: [this.tables],
      });

    // Every function that runs the guard pipeline imports its findings when the policy turns Security Hub on.
    const pipelineFunctions = [
      this.s3Guard,
      this.rootGuard,
      this.tamperGuard.guard,
      ...(this.sweep ? [this.sweep.worker] : []),
    ];
    if (props.policy.securityHub.enabled)
      for (const guard of pipelineFunctions)
        importFindingsIntoSecurityHub(guard, this.tables.audit, this.alertTopic);
    for (const guard of [this.s3Guard, this.rootGuard, this.tamperGuard.guard])
      this.alarmOnGuardFailures(guard);
    this.allowForwarders(names, props.forwarders ?? []);

    // Last, so it shows every function and dead-letter queue built above.
    this.dashboard = new WardenDashboard(this, 'Operations', {
      prefix: names.prefix,
      functions: this.node.findAll().filter((node) => node instanceof GuardFunction),
      deadLetterQueues: this.node
        .findAll()
        .filter((node) => node instanceof DeadLetterQueue)
        .map((dlq) => ({ label: dlq.node.path.slice(this.node.path.length + 1), queue: dlq.queue })),
      alertQueue: this.slack.queue,
    });
    this.slack.notifySlack.bindDashboard(this.dashboard.dashboardName);

    new CfnOutput(this, 'KmsKeyArn', {
      value: this.bucketKey.key.keyArn,
      description: 'Warden bucket key (home region)',
    });
    new CfnOutput(this, 'InternalKeyArn', {
      value: key.keyArn,
      description: 'Warden key of its own topic, queues, tables and secret',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.dashboard.url,
      description: 'Warden operations dashboard (CloudWatch); every Slack alert links here',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topicArn, description: 'Subscribe here' });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.tables.idempotency.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.tables.audit.tableName });
    new CfnOutput(this, 'SlackWebhookSecretArn', {
      value: this.slack.secret.secretArn,
      description: 'Put the Slack incoming-webhook URL here (aws secretsmanager put-secret-value)',
    });
  }

  /** Whether a stack is a Warden hub (for the one-hub-per-account check). */
  static isHub(node: unknown): node is HubStack {
    return node instanceof HubStack;
  }

  /** An event the guard rejected or a repair that failed: someone must look, at the first one. */
  private alarmOnGuardFailures(guard: GuardFunction): void {
    const { service } = guard;
    for (const metricName of GUARD_FAILURE_METRICS) {
      guard.alarms.push(
        firstCountAlarm(
          guard,
          `${metricName}Alarm`,
          {
            service,
            metricName,
            alarmDescription:
              metricName === 'EventsRejected'
                ? `Warden: ${service} rejected an event it could not parse; the change was not checked.`
                : `Warden: ${service} failed to repair a resource; see the alert and the audit trail.`,
          },
          this.alertTopic,
        ),
      );
    }
  }

  /**
   * Forwarders in other regions put events on this default bus with their rules' roles. Same
   * account, so the principal is the account; the condition admits only Warden's forwarding rules,
   * named by ARN (built from region and fixed rule name: no cross-region reference).
   */
  private allowForwarders(names: ResourceNames, forwarders: readonly ForwarderRegion[]): void {
    const ruleArns = forwarders.flatMap((forwarder) => {
      const forwarded: ForwardedEvents[] = [
        ...(forwarder.s3 ? (['s3'] as const) : []),
        ...(forwarder.accountLevel ? (['s3Account'] as const) : []),
        ...(forwarder.root ? ROOT_EVENT_KINDS : []),
        ...tamperKindsOf(forwarder),
      ];
      return forwarded.map((kind) => forwardingRuleArn(this, names, forwarder.region, kind));
    });
    if (ruleArns.length === 0) return;
    new events.CfnEventBusPolicy(this, 'ForwardersMayPutEvents', {
      eventBusName: 'default',
      statementId: `${names.prefix}-forwarders`,
      statement: {
        Sid: `${names.prefix}-forwarders`,
        Effect: 'Allow',
        Principal: { AWS: `arn:${this.partition}:iam::${this.account}:root` },
        Action: 'events:PutEvents',
        Resource: `arn:${this.partition}:events:${this.region}:${this.account}:event-bus/default`,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      },
    });
  }
}

/**
 * At synth: an app that defines a second hub for the same account (or for an account not known
 * until deploy, which may be the same) is refused before anything is deployed. Two hubs in one
 * account fight over every bucket (see ONE_INSTALL_PER_ACCOUNT).
 */
function refuseAnotherHubInTheAccount(hub: HubStack): void {
  const others = hub.node.root.node
    .findAll()
    .filter((node): node is HubStack => HubStack.isHub(node) && node !== hub);
  const known = (account: string) => !Token.isUnresolved(account);
  const clash = others.find(
    (other) => !(known(other.account) && known(hub.account) && other.account !== hub.account),
  );
  if (clash)
    throw new ConfigError(
      `Warden allows one hub per account: ${hub.node.path} (${hub.region}) and ${clash.node.path} (${clash.region}) ` +
        "would deploy to the same account and re-encrypt each other's buckets forever. Keep one hub; watch more " +
        'regions with deployment.regions, more accounts with organization mode.',
    );
}
