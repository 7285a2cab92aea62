import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { clientConfig } from '#shared/aws/client-config.ts';
import { runEveryTime } from '#shared/idempotency/idempotency.ts';
import type { AssumeRootCredentials } from '#shared/root/assume-root.ts';
import { rootIamClientFactory } from '#shared/root/root-access-keys.ts';
import { createRootGuard } from '#shared/root/root-guard.ts';
import { ACCOUNT_ID, loadApiCall, makePolicy } from '../fixtures.ts';

/*
 * The IAM half of root-guard against moto over HTTP with the real SDK. moto has no AssumeRoot, so
 * the STS seam (`assumeRootCredentials`) is a stand-in returning the access key of an IAM user that
 * plays the root user: moto resolves ListAccessKeys/DeleteAccessKey without UserName to the signing
 * key's user, as AWS resolves them to the root user in a root session.
 * This file starts its own moto server: the shared global setup did not exist when it was written.
 */

const REGION = 'us-east-1';
const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const AUDIT_TABLE = 'warden-audit';

let moto: ChildProcess | undefined;
let endpoint = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitUntilUp(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not start at ${url}`);
}

interface StandInKey {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

const admin = <T>(Client: new (config: ReturnType<typeof clientConfig>) => T): T =>
  new Client(clientConfig({ region: REGION, endpoint, credentials: ADMIN }));

describe('root-guard against moto (IAM)', () => {
  let iam: IAMClient;
  let topicArn: string;
  let userName: string;
  let session: StandInKey;
  let created: StandInKey;
  let userCount = 0;

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitUntilUp(endpoint, Date.now() + 60_000);
    iam = admin(IAMClient);
    const topic = await admin(SNSClient).send(new CreateTopicCommand({ Name: 'warden-alerts' }));
    topicArn = topic.TopicArn ?? '';
    await admin(DynamoDBClient).send(
      new CreateTableCommand({
        TableName: AUDIT_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      }),
    );
  });

  afterAll(() => {
    if (moto?.pid) process.kill(moto.pid);
  });

  beforeEach(async () => {
    // A fresh stand-in root user per test: one key for the "root session", one created "by root".
    userCount += 1;
    userName = `root-stand-in-${userCount}`;
    await iam.send(new CreateUserCommand({ UserName: userName }));
    session = await createKey(userName);
    created = await createKey(userName);
  });

  async function createKey(name: string): Promise<StandInKey> {
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('moto returned no access key');
    return { AccessKeyId: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey };
  }

  function setup() {
    const assumeRootCredentials = vi.fn<AssumeRootCredentials>(async () => ({
      accessKeyId: session.AccessKeyId,
      secretAccessKey: session.SecretAccessKey,
    }));
    const guard = createRootGuard({
      config: {
        policy: makePolicy({ deployment: { mode: 'organization', managementAccountId: '111122223333' } }),
      },
      assumeRootCredentials,
      rootIam: rootIamClientFactory(REGION, endpoint),
      alerts: snsAlertPublisher(admin(SNSClient), topicArn),
      audit: dynamoAuditLog(DynamoDBDocumentClient.from(admin(DynamoDBClient)), AUDIT_TABLE),
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { count: vi.fn() },
      clock: { now: () => new Date() },
      once: runEveryTime,
    });
    return { guard, assumeRootCredentials };
  }

  const rootKeyEvent = (accessKeyId: string) =>
    loadApiCall('iam/root-create-access-key.json', {
      responseElements: {
        accessKey: { accessKeyId, status: 'Active', createDate: 'Nov 20, 2026 11:02:13 AM' },
      },
    });

  const keysOf = async (name: string) =>
    ((await iam.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata ?? []).map(
      (key) => key.AccessKeyId,
    );

  it('deletes the created key with the root-session client, verifies it, and reports the other key', async () => {
    const { guard, assumeRootCredentials } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    expect(assumeRootCredentials).toHaveBeenCalledWith(ACCOUNT_ID);
    expect(result.outcomes).toMatchObject([{ controlId: 'root-access-key', status: 'REMEDIATED' }]);
    expect(result.outcomes[0]?.reason).toContain(`other access keys: ${session.AccessKeyId}`);
    expect(await keysOf(userName)).toEqual([session.AccessKeyId]);
    expect(result.alertMessageId).toMatch(/.+/);
  });

  it('records the outcome in the audit table', async () => {
    const { guard } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    const audit = await DynamoDBDocumentClient.from(admin(DynamoDBClient)).send(
      new QueryCommand({
        TableName: AUDIT_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `RESOURCE#arn:aws:iam::${ACCOUNT_ID}:root` },
      }),
    );
    expect(audit.Items?.map((item) => item.eventId)).toContain(result.eventId);
  });

  it('reports a key already deleted as compliant and deletes nothing', async () => {
    await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: created.AccessKeyId }));
    const { guard } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(await keysOf(userName)).toEqual([session.AccessKeyId]);
  });

  it('is a no-op the second time: the key is gone on the redelivered event', async () => {
    const { guard } = setup();
    const call = rootKeyEvent(created.AccessKeyId);

    await guard(call);
    const second = await guard(call);

    expect(second.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(await keysOf(userName)).toEqual([session.AccessKeyId]);
  });
});
