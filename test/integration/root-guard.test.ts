import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoOnce } from '#shared/idempotency/idempotency.ts';
import type { AssumeRootCredentials } from '../../functions/root-guard/assume-root.ts';
import { rootIamClientFactory } from '../../functions/root-guard/root-access-keys.ts';
import { createRootGuard } from '../../functions/root-guard/root-guard.ts';
import { loadApiCall, makePolicy } from '../fixtures.ts';
import { localConfig, makeClients, takeAlerts } from '../support/local-env.ts';

/*
 * The IAM half of root-guard against moto over HTTP with the real SDK. moto has no AssumeRoot, so
 * the STS seam (`assumeRootCredentials`) is a stand-in returning the access key of an IAM user that
 * plays the root user: moto resolves ListAccessKeys/DeleteAccessKey without UserName to the signing
 * key's user, as AWS resolves them to the root user in a root session.
 */

interface StandInKey {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

describe('root-guard against moto (IAM)', () => {
  let userName: string;
  let session: StandInKey;
  let created: StandInKey;
  let userCount = 0;

  async function createKey(name: string): Promise<StandInKey> {
    const key = (await makeClients().iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('moto returned no access key');
    return { AccessKeyId: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey };
  }

  beforeEach(async () => {
    // A fresh stand-in root user per test: one key for the "root session", one created "by root".
    userCount += 1;
    userName = `root-stand-in-${Date.now()}-${userCount}`;
    await makeClients().iam.send(new CreateUserCommand({ UserName: userName }));
    session = await createKey(userName);
    created = await createKey(userName);
    await takeAlerts();
  });

  function setup() {
    const config = localConfig();
    const clients = makeClients(config);
    const assumeRootCredentials = vi.fn<AssumeRootCredentials>(async () => ({
      accessKeyId: session.AccessKeyId,
      secretAccessKey: session.SecretAccessKey,
    }));
    const guard = createRootGuard({
      config: {
        policy: makePolicy({ deployment: { mode: 'organization', managementAccountId: '111122223333' } }),
      },
      assumeRootCredentials,
      rootIam: rootIamClientFactory(config.region, config.endpoint),
      alerts: snsAlertPublisher(clients.sns, config.alertTopicArn),
      audit: dynamoAuditLog(DynamoDBDocumentClient.from(clients.dynamodb), config.auditTable),
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { count: vi.fn() },
      clock: { now: () => new Date() },
      once: dynamoOnce(clients.dynamodb, config.idempotencyTable, 'root-guard'),
    });
    return { guard, assumeRootCredentials, config };
  }

  /** The sample root event, with this test's key id and its own event id. */
  const rootKeyEvent = (accessKeyId: string) =>
    loadApiCall('iam/root-create-access-key.json', {
      eventId: `root-key-${accessKeyId}`,
      accountId: localConfig().accountId,
      responseElements: {
        accessKey: { accessKeyId, status: 'Active', createDate: 'Nov 20, 2026 11:02:13 AM' },
      },
    });

  const keysOf = async (name: string) =>
    (
      (await makeClients().iam.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata ?? []
    ).map((key) => key.AccessKeyId);

  it('deletes the created key with the root-session client, verifies it, and reports the other key', async () => {
    const { guard, assumeRootCredentials, config } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    expect(assumeRootCredentials).toHaveBeenCalledWith(config.accountId);
    expect(result.outcomes).toMatchObject([{ controlId: 'root-access-key', status: 'REMEDIATED' }]);
    expect(result.outcomes[0]?.reason).toContain(`other access keys: ${session.AccessKeyId}`);
    expect(await keysOf(userName)).toEqual([session.AccessKeyId]);
  });

  it('publishes one critical alert naming the key through SNS', async () => {
    const { guard } = setup();

    await guard(rootKeyEvent(created.AccessKeyId));

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification.content.title).toBe(
      `CRITICAL: Warden deleted root access key ${created.AccessKeyId} in account ${localConfig().accountId}`,
    );
  });

  it('records the outcome in the audit table', async () => {
    const { guard, config } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    const audit = await DynamoDBDocumentClient.from(makeClients().dynamodb).send(
      new QueryCommand({
        TableName: config.auditTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `RESOURCE#arn:aws:iam::${config.accountId}:root` },
      }),
    );
    expect(audit.Items?.map((item) => item.eventId)).toContain(result.eventId);
  });

  it('reports a key already deleted as compliant and deletes nothing', async () => {
    await makeClients().iam.send(
      new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: created.AccessKeyId }),
    );
    const { guard } = setup();

    const result = await guard(rootKeyEvent(created.AccessKeyId));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(await keysOf(userName)).toEqual([session.AccessKeyId]);
  });

  it('acts and alerts once when the same event is delivered twice', async () => {
    const { guard, assumeRootCredentials } = setup();
    const call = rootKeyEvent(created.AccessKeyId);

    const first = await guard(call);
    const second = await guard(call);

    expect(second.outcomes).toEqual(first.outcomes);
    expect(assumeRootCredentials).toHaveBeenCalledTimes(1);
    expect(await takeAlerts()).toHaveLength(1);
  });
});
