import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  type KMSClient,
  paginateListAliases,
} from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateTopicCommand,
  SetTopicAttributesCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  FUNCTION_NAMES,
  type FunctionName,
  functionSessionArns,
  resourceNames,
} from '#shared/config/names.ts';
import { type LocalClients, makeLocalClients } from './clients.ts';
import type { LocalConfig } from './local-config.ts';
import { LocalModeError } from './local-mode-error.ts';
import { ensureLocalRules, ensureLocalTrail } from './tamper-setup.ts';

export interface ProvisionOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly prefix: string;
  /**
   * The Slack webhook URL to store in the webhook secret: a real one (`WARDEN_SLACK_WEBHOOK_URL`) or a
   * local capture server's. When omitted, a new secret gets LOCAL_SLACK_WEBHOOK_URL and an existing
   * one keeps its value.
   */
  readonly slackWebhookUrl?: string;
}

/** Where `warden local invoke notify-slack` runs its Slack-like capture server unless a real webhook is set. */
export const LOCAL_SLACK_WEBHOOK_URL = 'http://127.0.0.1:5056/services/TLOCAL/BLOCAL/warden-local-capture';

/** The webhook URL local mode should use: a real webhook from the environment, or none (the local default). */
export const slackWebhookUrlFromEnv = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  env.WARDEN_SLACK_WEBHOOK_URL?.trim() || undefined;

/** Name of the SQS queue subscribed to the alert topic in local mode only (the stack has none). */
export const alertCaptureQueueName = (prefix: string) => `${prefix}-alerts-capture`;

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

async function findAliasTarget(kms: KMSClient, aliasName: string): Promise<string | undefined> {
  for await (const page of paginateListAliases({ client: kms }, {})) {
    const alias = page.Aliases?.find((candidate) => candidate.AliasName === aliasName);
    if (alias?.TargetKeyId) return alias.TargetKeyId;
  }
  return undefined;
}

/** A Warden customer-managed key (bucket or internal), found by its alias or created with rotation on. */
async function ensureKmsKey(kms: KMSClient, aliasName: string, description: string): Promise<string> {
  let keyId = await findAliasTarget(kms, aliasName);
  if (!keyId) {
    const created = await kms.send(new CreateKeyCommand({ Description: description }));
    keyId = created.KeyMetadata?.KeyId;
    if (!keyId) throw new LocalModeError('CreateKey returned no key id');
    await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
  }
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  const arn = described.KeyMetadata?.Arn;
  if (!arn) throw new LocalModeError(`DescribeKey returned no ARN for ${keyId}`);
  return arn;
}

async function ensureTopic(sns: SNSClient, name: string, kmsKeyArn: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!TopicArn) throw new LocalModeError(`CreateTopic returned no ARN for ${name}`);
  await sns.send(
    new SetTopicAttributesCommand({ TopicArn, AttributeName: 'KmsMasterKeyId', AttributeValue: kmsKeyArn }),
  );
  return TopicArn;
}

/** Name of the queue standing in for the Slack delivery queue's dead-letter queue in local mode. */
export const slackDeadLetterQueueName = (prefix: string) => `${prefix}-slack-undelivered-alerts`;

/** A plain queue, created or found by name (CreateQueue returns the existing one). */
async function ensureQueue(clients: LocalClients, name: string): Promise<string> {
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new LocalModeError(`CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}

/** The capture queue, subscribed to the topic; SNS returns the existing subscription on a repeat. */
async function ensureCaptureQueue(clients: LocalClients, name: string, topicArn: string) {
  const QueueUrl = await ensureQueue(clients, name);
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new LocalModeError(`No ARN for queue ${QueueUrl}`);
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return { queueUrl: QueueUrl, queueArn };
}

/** The webhook secret with the stack's name; its value is set on creation and replaced only when a URL is given. */
async function ensureWebhookSecret(
  secrets: SecretsManagerClient,
  name: string,
  url: string | undefined,
): Promise<string> {
  let arn: string | undefined;
  try {
    arn = (await secrets.send(new DescribeSecretCommand({ SecretId: name }))).ARN;
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
  if (!arn) {
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: name,
        Description: 'Warden: Slack incoming-webhook URL for notify-slack',
        SecretString: url ?? LOCAL_SLACK_WEBHOOK_URL,
      }),
    );
    if (!created.ARN) throw new LocalModeError(`CreateSecret returned no ARN for ${name}`);
    return created.ARN;
  }
  if (url !== undefined) {
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: arn })).catch(() => undefined);
    if (current?.SecretString !== url)
      await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: url }));
  }
  return arn;
}

interface TableSpec {
  readonly name: string;
  readonly keys: readonly { readonly name: string; readonly type: 'HASH' | 'RANGE' }[];
  readonly ttlAttribute: string;
}

/** On-demand, encrypted, point-in-time recovery and TTL on: the stack's table settings. */
async function ensureTable(dynamodb: DynamoDBClient, spec: TableSpec): Promise<void> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: spec.name }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: spec.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: spec.keys.map((key) => ({ AttributeName: key.name, AttributeType: 'S' })),
        KeySchema: spec.keys.map((key) => ({ AttributeName: key.name, KeyType: key.type })),
        SSESpecification: { Enabled: true },
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: spec.name });
  }
  // Enabling TTL twice is an error in DynamoDB, so look first.
  const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: spec.name }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: spec.name,
        TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
      }),
    );
  }
  const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: spec.name }));
  if (
    backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus !==
    'ENABLED'
  ) {
    await dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: spec.name,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  }
}

const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

async function ensureRole(iam: IAMClient, roleName: string): Promise<string> {
  try {
    const existing = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (existing.Role?.Arn) return existing.Role.Arn;
  } catch (error) {
    if (errorName(error) !== 'NoSuchEntityException' && errorName(error) !== 'NoSuchEntity') throw error;
  }
  const created = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }),
  );
  if (!created.Role?.Arn) throw new LocalModeError(`CreateRole returned no ARN for ${roleName}`);
  return created.Role.Arn;
}

async function ensureFunctionRoles(iam: IAMClient, roleName: (name: FunctionName) => string) {
  const entries = await Promise.all(
    FUNCTION_NAMES.map(async (name) => [name, await ensureRole(iam, roleName(name))] as const),
  );
  return Object.fromEntries(entries) as Record<FunctionName, string>;
}

/**
 * Creates, idempotently, what the functions need in the emulator, with the stack's names
 * (`resourceNames(prefix)`): running it again returns the same ARNs and changes nothing.
 */
export async function provisionLocal(options: ProvisionOptions): Promise<LocalConfig> {
  const names = resourceNames(options.prefix);
  const clients = makeLocalClients(options);
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new LocalModeError('GetCallerIdentity returned no account id');
  // As in the stack: one key for buckets, another for Warden's own topic.
  const [kmsKeyArn, internalKeyArn] = await Promise.all([
    ensureKmsKey(clients.kms, names.kmsKeyAlias, 'Warden: default encryption of remediated S3 buckets'),
    ensureKmsKey(
      clients.kms,
      names.internalKeyAlias,
      'Warden: its own alert topic, queues, tables and secret',
    ),
  ]);
  const alertTopicArn = await ensureTopic(clients.sns, names.alertTopic, internalKeyArn);
  const [capture, functionRoleArns, slackWebhookSecretArn, slackDeadLetterQueueUrl] = await Promise.all([
    ensureCaptureQueue(clients, alertCaptureQueueName(options.prefix), alertTopicArn),
    ensureFunctionRoles(clients.iam, names.functionRole),
    ensureWebhookSecret(clients.secretsManager, names.slackWebhookSecret, options.slackWebhookUrl),
    ensureQueue(clients, slackDeadLetterQueueName(options.prefix)),
    ensureTable(clients.dynamodb, {
      name: names.idempotencyTable,
      keys: [{ name: 'id', type: 'HASH' }],
      ttlAttribute: 'expiration',
    }),
    ensureTable(clients.dynamodb, {
      name: names.auditTable,
      keys: [
        { name: 'pk', type: 'HASH' },
        { name: 'sk', type: 'RANGE' },
      ],
      ttlAttribute: 'expiresAt',
    }),
  ]);
  // What AWS has before it emits any event (a logging trail) and Warden's rules, for tamper-guard's story.
  const sessions = functionSessionArns(names, { partition: 'aws', accountId: identity.Account });
  await Promise.all([
    ensureLocalTrail(clients, options.prefix, identity.Account),
    ensureLocalRules(clients, names, sessions),
  ]);
  return {
    endpoint: options.endpoint,
    region: options.region,
    accountId: identity.Account,
    prefix: options.prefix,
    kmsKeyArn,
    kmsKeyAlias: names.kmsKeyAlias,
    alertTopicArn,
    idempotencyTable: names.idempotencyTable,
    auditTable: names.auditTable,
    functionRoleArns,
    ownRoleArns: Object.values(functionRoleArns),
    alertCaptureQueueUrl: capture.queueUrl,
    alertCaptureQueueArn: capture.queueArn,
    slackWebhookSecretArn,
    slackCaptureUrl: LOCAL_SLACK_WEBHOOK_URL,
    slackDeadLetterQueueUrl,
  };
}
