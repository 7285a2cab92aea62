import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '#shared/config/env-names.ts';
import type { FunctionName, ResourceNames } from '#shared/config/names.ts';
import { METRICS_NAMESPACE } from '#shared/observability/observability.ts';
import { FINDING_KEY_PREFIX } from '#shared/securityhub/finding-ledger.ts';
import { NOTIFY_SLACK_ENV } from '#shared/slack/config.ts';
import { DIST_FUNCTIONS } from '../config/bundles.ts';
import { notifyOnAlarm } from './alarm-topic.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Lambda retries a failed async invocation twice (about 1 and 2 minutes later), then dead-letters it. */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** Events are re-read against live state, so an old event is still worth handling: keep the maximum. */
export const ASYNC_MAX_EVENT_AGE = Duration.hours(6);
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;
/** The cdk-nag IAM5 finding for `arn:<partition>:s3:::*`, the only wildcard resource Warden grants. */
export const EVERY_BUCKET_FINDING = '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):s3:::\\*$/';
export const ANY_KEY_OF_THE_ACCOUNT_FINDING =
  '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):kms:\\*:(<AWS::AccountId>|\\d{12}):key\\/\\*$/';

export interface GuardFunctionProps {
  readonly name: FunctionName;
  readonly names: ResourceNames;
  /** Encrypts the function's dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Receives the function's alarms. */
  readonly alarmTopic: sns.ITopic;
  /** Folder holding the esbuild bundle `index.mjs`; defaults to `dist/functions/<name>`. */
  readonly bundleDir?: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /**
   * Invoked asynchronously (EventBridge): retries and an on-failure queue. False for a function fed
   * by an SQS event source mapping, where the queue's own redrive policy catches failures.
   */
  readonly invokedAsynchronously?: boolean;
}

/**
 * What a function does with the audit table: append records, and for s3-guard keep policy baselines;
 * the sweep also keeps its ledger and history there (conditional puts and updates, also inside
 * TransactWriteItems, which IAM authorises as the PutItem and UpdateItem they contain; gets; queries).
 */
export type AuditTableAccess = 'append' | 'append-and-baselines' | 'sweep-ledger';

const AUDIT_TABLE_ACTIONS: Record<AuditTableAccess, readonly string[]> = {
  append: ['dynamodb:PutItem'],
  'append-and-baselines': ['dynamodb:GetItem', 'dynamodb:PutItem'],
  'sweep-ledger': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
};

/** What a function does with the sweep queue: the planner sends, the worker also consumes (its event source). */
export type SweepQueueAccess = 'send' | 'send-and-consume';

/** `sts:AssumeRoot` resources: the root user of any member account (the target is the event's account). */
export const ANY_ROOT_USER_FINDING = '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):iam::\\*:root$/';

/**
 * A Warden function with the house defaults: the shared esbuild bundle, Node 22 on arm64, a named
 * role of its own (its calls are recognised as Warden's by that name), an explicit log group with
 * retention, async retries with an encrypted on-failure queue, and alarms on errors and throttles.
 * `bind*` helpers set an environment variable and grant the matching access in one step.
 */
export class GuardFunction extends Construct {
  /** The Powertools service name, also the `service` dimension of its metrics. */
  readonly service: FunctionName;
  /** The folder of the deployed bundle. */
  readonly bundleDir: string;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The on-failure queue of asynchronous invocations; absent for an SQS-fed function. */
  readonly deadLetters?: DeadLetterQueue;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    this.service = props.name;
    const functionName = props.names.functionName(props.name);
    const bundleDir = props.bundleDir ?? join(DIST_FUNCTIONS, props.name);
    this.bundleDir = bundleDir;
    if (!existsSync(join(bundleDir, 'index.mjs'))) {
      throw new Error(`No bundle for ${props.name} at ${bundleDir}/index.mjs: run \`npm run build\` first.`);
    }

    const { partition, region, account } = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.names.functionRole(props.name),
      // Lambda of this account only (the confused deputy). Not aws:SourceArn = the function: AWS
      // documents that key for callers of a function, not for Lambda assuming its execution role.
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `Warden ${props.name}: calls of its ${functionName} session are ignored by Warden.`,
    });
    this.denyOtherFunctions(`arn:${partition}:lambda:${region}:${account}:function:${functionName}`);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: LOG_RETENTION,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy, which allows every log group.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const asynchronous = props.invokedAsynchronously ?? true;
    const deadLetters = asynchronous
      ? new DeadLetterQueue(this, 'FailedEvents', {
          encryptionKey: props.encryptionKey,
          alertTopic: props.alarmTopic,
          purpose: `events ${functionName} could not handle in ${ASYNC_RETRY_ATTEMPTS + 1} attempts`,
        })
      : undefined;
    this.deadLetters = deadLetters;
    const asyncInvokeConfig = deadLetters && {
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: { bind: () => ({ destination: deadLetters.queue.queueArn }) },
    };

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: `Warden ${props.name}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(bundleDir),
      handler: 'index.handler',
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      // A version (`currentVersion`, invoked by a deployment trigger) gets the same retries and queue.
      ...(asyncInvokeConfig ? { ...asyncInvokeConfig, currentVersionOptions: asyncInvokeConfig } : {}),
    });
    // CDK also lists the role in DependsOn so the function waits for the role's policy; cfn-lint
    // flags the role half as redundant with the GetAtt. The ordering is intended.
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata('cfn-lint', {
      config: { ignore_checks: ['W3005'] },
    });
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x on purpose: the esbuild bundle targets node22 (infra/build.ts) and the toolchain and tests ' +
          'are pinned to Node 22; a runtime upgrade moves build target, toolchain and runtime together.',
      },
    ]);
    if (deadLetters) {
      this.allow(['sqs:SendMessage'], [deadLetters.queue.queueArn]);
      this.allowKeyThrough(props.encryptionKey, 'sqs', ['kms:GenerateDataKey', 'kms:Decrypt']);
    }

    this.alarms = [
      ...(deadLetters ? [deadLetters.alarm] : []),
      notifyOnAlarm(
        this.function
          .metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
          .createAlarm(this, 'ErrorsAlarm', {
            alarmDescription: `Warden: ${functionName} failed; the event is retried, then dead-lettered.`,
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        props.alarmTopic,
      ),
      notifyOnAlarm(
        this.function
          .metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
          .createAlarm(this, 'ThrottlesAlarm', {
            alarmDescription: `Warden: ${functionName} is throttled; remediations are delayed.`,
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        props.alarmTopic,
      ),
    ];
  }

  /** Warden's own key: remediations point buckets at it, after checking its state. */
  bindKmsKey(key: kms.IKey): this {
    this.function.addEnvironment(ENV.kmsKeyArn, key.keyArn);
    this.allow(['kms:DescribeKey'], [key.keyArn]);
    return this;
  }

  /**
   * DescribeKey on this account's Warden key in any region, asked for by its alias only: s3-guard
   * checks and resolves the key of a bucket's own region before pointing the bucket at it.
   */
  allowDescribingKeysByAlias(alias: string): this {
    const { partition, account } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeWardenKeysByAlias',
        actions: ['kms:DescribeKey'],
        resources: [`arn:${partition}:kms:*:${account}:key/*`],
        conditions: { StringEquals: { 'kms:RequestAlias': alias } },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Warden has one key per region with the same alias, and key ids differ per region: the resource is any key ' +
            'of this account, and kms:RequestAlias limits DescribeKey (read-only metadata) to requests by that alias.',
          appliesTo: [{ regex: ANY_KEY_OF_THE_ACCOUNT_FINDING }],
        },
      ],
      true,
    );
    return this;
  }

  bindAlertTopic(topic: sns.ITopic, key: kms.IKey): this {
    this.function.addEnvironment(ENV.alertTopicArn, topic.topicArn);
    this.allow(['sns:Publish'], [topic.topicArn]);
    this.allowKeyThrough(key, 'sns', ['kms:GenerateDataKey', 'kms:Decrypt']);
    return this;
  }

  /** Powertools Idempotency: get, conditional put, update on completion, delete on failure. */
  bindIdempotencyTable(table: dynamodb.ITable, key: kms.IKey): this {
    this.function.addEnvironment(ENV.idempotencyTable, table.tableName);
    this.allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [table.tableArn],
    );
    this.allowTableKey(key);
    return this;
  }

  /**
   * Audit records are append-only: no update, no delete. s3-guard also keeps each bucket's
   * last-known-good policy there (shared/audit/baseline-store.ts: GetItem, PutItem).
   */
  bindAuditTable(table: dynamodb.ITable, key: kms.IKey, access: AuditTableAccess): this {
    this.function.addEnvironment(ENV.auditTable, table.tableName);
    this.allow(AUDIT_TABLE_ACTIONS[access], [table.tableArn]);
    this.allowTableKey(key);
    return this;
  }

  /**
   * Account-level Block Public Access through S3 Control. These actions support no resource type
   * (Service Authorization Reference, Amazon S3: the resource column is empty), so IAM requires
   * `*`; the `s3:ResourceAccount` condition pins them to this account.
   */
  allowAccountPublicAccessBlock(): this {
    const { account } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
        resources: ['*'],
        conditions: { StringEquals: { 's3:ResourceAccount': account } },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            's3:Get/PutAccountPublicAccessBlock support no resource type (Service Authorization Reference), so IAM ' +
            'requires Resource "*"; the statement is pinned to this account with the s3:ResourceAccount condition.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    return this;
  }

  /**
   * Organization mode: delete a member account's root access keys through centralised root access.
   * `sts:AssumeRoot` targets the root user of the event's account, unknown in advance, so any
   * account's root; the `sts:TaskPolicyArn` condition allows only the task policy that deletes
   * root credentials (Service Authorization Reference, AWS STS).
   */
  allowAssumeRootToDeleteRootCredentials(): this {
    const { partition } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRoot'],
        resources: [`arn:${partition}:iam::*:root`],
        conditions: {
          ArnEquals: {
            'sts:TaskPolicyArn': `arn:${partition}:iam::aws:policy/root-task/IAMDeleteRootUserCredentials`,
          },
        },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'root-guard deletes root access keys in whichever member account an event names, so sts:AssumeRoot ' +
            'targets any root user (arn:<partition>:iam::*:root), restricted by sts:TaskPolicyArn to the ' +
            'IAMDeleteRootUserCredentials task policy.',
          appliesTo: [{ regex: ANY_ROOT_USER_FINDING }],
        },
      ],
      true,
    );
    return this;
  }

  /**
   * The sweep's FIFO queue of work items: send (SendMessage; SQS needs GenerateDataKey and Decrypt of
   * the queue's key to encrypt), and for the worker also what its SQS event source mapping calls with
   * the function's role (ReceiveMessage, DeleteMessage, GetQueueAttributes: Lambda developer guide).
   */
  bindSweepQueue(queue: sqs.IQueue, key: kms.IKey, access: SweepQueueAccess): this {
    this.function.addEnvironment(ENV.sweepQueueUrl, queue.queueUrl);
    this.allow(
      access === 'send'
        ? ['sqs:SendMessage']
        : ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      [queue.queueArn],
    );
    this.allowKeyThrough(key, 'sqs', ['kms:GenerateDataKey', 'kms:Decrypt']);
    return this;
  }

  /**
   * A variable the function's config requires (shared/config/load-config.ts) for a resource this
   * function never calls: the value without a grant.
   */
  bindConfigOnly(variable: (typeof ENV)[keyof typeof ENV], value: string): this {
    this.function.addEnvironment(variable, value);
    return this;
  }

  /**
   * The sweep lists an account's buckets and reads its account summary (root access keys). Neither
   * action supports a resource type (Service Authorization Reference: Amazon S3, IAM), so IAM requires `*`.
   */
  allowListingBucketsAndAccountSummary(): this {
    return this.allowWithoutResourceType(
      'ListBucketsAndAccountSummary',
      ['s3:ListAllMyBuckets', 'iam:GetAccountSummary'],
      's3:ListAllMyBuckets (the sweep lists the buckets to check) and iam:GetAccountSummary (whether root access ' +
        'keys exist) support no resource type (Service Authorization Reference), so IAM requires Resource "*". Both read only.',
    );
  }

  /**
   * Organization mode: the sweep planner lists the accounts of the target OUs and their child OUs.
   * Organizations defines no resource type for either action, so IAM requires `*`.
   */
  allowListingOrganizationAccounts(): this {
    return this.allowWithoutResourceType(
      'ListOrganizationAccounts',
      ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
      'The sweep planner lists the accounts of the target OUs (and of their child OUs): ' +
        'organizations:ListAccountsForParent and ListOrganizationalUnitsForParent support no resource type ' +
        '(Service Authorization Reference, AWS Organizations), so IAM requires Resource "*". Both read only.',
    );
  }

  /**
   * Security Hub (policy `securityHub.enabled`): securityhub:BatchImportFindings on this account's default
   * product in this region only (its ARN is the resource; Service Authorization Reference, AWS Security Hub),
   * and the findings ledger in the audit table (shared/securityhub/finding-ledger.ts): Query and PutItem on
   * the `FINDING#` partitions only (dynamodb:LeadingKeys). The audit table and its key are bound already.
   */
  bindSecurityHubFindings(auditTable: dynamodb.ITable): this {
    const { partition, region, account } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ImportSecurityHubFindings',
        actions: ['securityhub:BatchImportFindings'],
        resources: [`arn:${partition}:securityhub:${region}:${account}:product/${account}/default`],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecurityHubFindingsLedger',
        actions: ['dynamodb:Query', 'dynamodb:PutItem'],
        resources: [auditTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${FINDING_KEY_PREFIX}*`] } },
      }),
    );
    return this;
  }

  /** notify-slack: the dashboard its alerts link to (a name; reading the console needs no grant). */
  bindDashboard(dashboardName: string): this {
    this.function.addEnvironment(NOTIFY_SLACK_ENV.dashboardName, dashboardName);
    return this;
  }

  /** notify-slack: read (only) the secret holding the Slack incoming-webhook URL. */
  bindSlackWebhookSecret(secret: secretsmanager.ISecret, key: kms.IKey): this {
    this.function.addEnvironment(ENV.slackWebhookSecretArn, secret.secretArn);
    this.allow(['secretsmanager:GetSecretValue'], [secret.secretArn]);
    this.allowKeyThrough(key, 'secretsmanager', ['kms:Decrypt']);
    return this;
  }

  /** Session ARNs whose events are Warden's own; the handler ignores them as the rule pattern does. */
  bindOwnSessionArns(sessionArns: readonly string[]): this {
    this.function.addEnvironment(ENV.ownSessionArns, sessionArns.join(','));
    return this;
  }

  /** The validated policy, serialised (see infra/config/policy-environment.ts). */
  bindPolicy(serialisedPolicy: string): this {
    this.function.addEnvironment(ENV.policy, serialisedPolicy);
    return this;
  }

  /**
   * Bucket-configuration actions on every bucket of the account: Warden reacts to buckets it
   * learns about from events, so it cannot name them in advance. Bucket ARNs only, no objects.
   */
  allowOnEveryBucket(actions: readonly string[]): this {
    const { partition, account } = Stack.of(this);
    // Bucket ARNs name no account: the condition keeps the role to this account's buckets.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [`arn:${partition}:s3:::*`],
        conditions: { StringEquals: { 's3:ResourceAccount': account } },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Warden remediates whichever bucket an event names, so bucket-configuration actions apply to every ' +
            'bucket ARN (arn:<partition>:s3:::*); object ARNs and s3:* are not granted.',
          // The partition is a token, or a literal once the region is known.
          appliesTo: [{ regex: EVERY_BUCKET_FINDING }],
        },
      ],
      true,
    );
    return this;
  }

  /**
   * Someone allowed to pass this role (iam:PassRole) could give it to a function of their own, even
   * one of the same name in another region, whose calls would then look like Warden's. Lambda puts
   * the calling function's ARN in the credentials of every call from a function's code
   * (`lambda:SourceFunctionArn`, identity policies and SCPs only): deny everything to any other
   * function. Calls Lambda makes for the role outside the code (the SQS event source) carry no such
   * key and are unaffected. The ARN is built from the name: the role cannot reference its function.
   */
  private denyOtherFunctions(functionArn: string): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OnlyWardensOwnFunction',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: {
          ArnNotLike: { 'lambda:SourceFunctionArn': [functionArn, `${functionArn}:*`] },
          Null: { 'lambda:SourceFunctionArn': 'false' },
        },
      }),
    );
  }

  /** Read-only actions that IAM allows only on `*`, with the cdk-nag suppression saying why. */
  private allowWithoutResourceType(sid: string, actions: readonly string[], reason: string): this {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources: ['*'] }));
    NagSuppressions.addResourceSuppressions(
      this.role,
      [{ id: 'AwsSolutions-IAM5', reason, appliesTo: ['Resource::*'] }],
      true,
    );
    return this;
  }

  private allow(actions: readonly string[], resources: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [...resources] }),
    );
  }

  private allowTableKey(key: kms.IKey): void {
    this.allowKeyThrough(key, 'dynamodb', [
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:DescribeKey',
    ]);
  }

  /** Key use only on behalf of one service (kms:ViaService), for its encrypted queue/topic/table. */
  private allowKeyThrough(
    key: kms.IKey,
    service: 'sqs' | 'sns' | 'dynamodb' | 'secretsmanager',
    actions: readonly string[],
  ): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
