import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { clientConfig, s3ClientConfig } from '#shared/aws/clients.ts';
import { resourceNames } from '#shared/config/names.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { dynamoSweepLedger } from '#shared/sweep/ledger.ts';
import { sqsSweepQueue } from '#shared/sweep/queue.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { localGuardConfig } from '../../cli/local/guard-config.ts';
import type { LocalConfig } from '../../cli/local/local-config.ts';
import { type SweepPlannerDeps, startSweep } from '../../functions/sweep-planner/sweep-planner.ts';
import { processSweepRecords, type SweepMetrics } from '../../functions/sweep-worker/sweep-worker.ts';
import { buildSweepEngine } from '../../functions/sweep-worker/wiring.ts';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Clients acting in another account of the emulator (moto is multi-account through AssumeRole). */
export async function accountClients(config: LocalConfig, accountId: string) {
  const sts = new (await import('@aws-sdk/client-sts')).STSClient(
    clientConfig({ endpoint: config.endpoint, region: config.region, credentials: localCredentials() }),
  );
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/setup`, RoleSessionName: 'test-setup' }),
  );
  const target = {
    endpoint: config.endpoint,
    region: config.region,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId as string,
      secretAccessKey: Credentials?.SecretAccessKey as string,
      sessionToken: Credentials?.SessionToken as string,
    },
  };
  return {
    s3: new S3Client(s3ClientConfig(target)),
    iam: new IAMClient(clientConfig(target)),
    kms: new KMSClient(clientConfig(target)),
  };
}

/** What an organization spoke creates in a member account: Warden's bucket key (by alias) and the member role. */
export async function provisionMember(config: LocalConfig, accountId: string, memberRoleName: string) {
  const clients = await accountClients(config, accountId);
  const key = (await clients.kms.send(new CreateKeyCommand({ Description: 'Warden bucket key' })))
    .KeyMetadata;
  if (!key?.Arn || !key.KeyId) throw new Error('moto returned no key');
  await clients.kms.send(
    new CreateAliasCommand({ AliasName: resourceNames().kmsKeyAlias, TargetKeyId: key.KeyId }),
  );
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: memberRoleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    }),
  );
  return { ...clients, keyArn: key.Arn };
}

/**
 * The stack's scheduled sweep against the emulator: sweep-planner's use case puts the first items on a real
 * SQS FIFO queue, and the queue is drained as Lambda's event source would, record by record, through
 * sweep-worker's use case with its real wiring (ledger in the audit table, digest on the alert topic).
 */
export async function sweepHarness(config: LocalConfig, policy: Policy, accounts: readonly string[]) {
  const aws = { endpoint: config.endpoint, credentials: localCredentials() };
  const target = { ...aws, region: config.region };
  const sqs = new SQSClient(clientConfig(target));
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `warden-sweep-${randomBytes(4).toString('hex')}.fifo`,
      Attributes: { FifoQueue: 'true' },
    }),
  );
  const queueUrl = QueueUrl as string;
  const guardConfig = localGuardConfig(config, policy);
  const { engine, history, enforced } = buildSweepEngine(guardConfig, {
    aws,
    log: quiet,
    metrics: { count: () => {} },
    pause: async () => {},
  });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(target)));
  const ledger = dynamoSweepLedger(documents, config.auditTable);
  const queue = sqsSweepQueue(sqs, queueUrl);
  const completed: Parameters<SweepMetrics['sweepCompleted']>[0][] = [];
  const rejected: string[] = [];
  const workerDeps = {
    engine,
    ledger,
    queue,
    history,
    enforced,
    policy,
    alerts: snsAlertPublisher(new SNSClient(clientConfig(target)), config.alertTopicArn),
    metrics: { sweepCompleted: (values: (typeof completed)[number]) => void completed.push(values) },
    log: quiet,
    now: () => new Date(),
    rejected: (reason: string) => void rejected.push(reason),
  };
  const plannerDeps: SweepPlannerDeps = {
    policy,
    accountId: config.accountId,
    region: config.region,
    accountsUnder: async () => [...accounts],
    ledger,
    queue,
    log: quiet,
    now: () => new Date(),
    newId: () => randomBytes(4).toString('hex'),
  };

  /** Starts a sweep and works the queue dry; returns how many items were processed. */
  async function run() {
    const started = await startSweep(plannerDeps);
    let processed = 0;
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
      );
      const [message] = Messages;
      if (!message) return { ...started, processed };
      const response = await processSweepRecords(workerDeps, {
        Records: [{ messageId: message.MessageId as string, body: message.Body as string }],
      });
      if (response.batchItemFailures.length > 0) throw new Error(`sweep item ${message.MessageId} failed`);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      processed += 1;
    }
  }
  return { run, completed, rejected, ledger, queueUrl };
}
