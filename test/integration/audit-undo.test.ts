import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { listAuditRecords } from '../../cli/audit/audit-queries.ts';
import { undoAction } from '../../cli/audit/undo.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';
import { policyDocumentOf, readBucketPolicy, setBucketPolicy, statementsOf } from '../support/s3-access.ts';

/*
 * The audit trail s3-guard writes, read back with the queries `warden audit list` uses, and
 * `warden undo`'s use case against moto: it re-applies "before", and refuses after a further change.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');

function deps() {
  const config = localConfig();
  const clients = makeClients(config);
  return {
    documents: DynamoDBDocumentClient.from(clients.dynamodb),
    tableName: config.auditTable,
    s3: clients.s3,
    s3Control: clients.s3Control,
    clock: { now: () => new Date() },
    actor: 'integration test',
  };
}

/** A new bucket with SSE-S3 and no Block Public Access, repaired by s3-guard from its CreateBucket event. */
async function repairedNewBucket() {
  const config = localConfig();
  const bucket = uniqueBucketName('undo');
  await resetBucket(makeClients().s3, bucket, { encryption: 'AES256', publicAccessBlock: 'none' });
  const event = retargetEvent(loadSampleEvent('s3/create-bucket.json'), {
    bucket,
    accountId: config.accountId,
  });
  const result = await invokeLocal('s3-guard', event, config, repoPolicy, QUIET);
  expect(result.status).toBe('PROCESSED');
  const actionId = (control: string) => `${result.eventId}:${control}`;
  return { bucket, actionId };
}

describe('audit trail and undo against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('lists the actions on a bucket, newest first, with their outcome', async () => {
    const { bucket, actionId } = await repairedNewBucket();

    const listing = await listAuditRecords(deps(), { bucket, limit: 10 });

    expect(listing.complete).toBe(true);
    expect(listing.records.map((record) => [record.actionId, record.outcome.status]).sort()).toEqual(
      [
        [actionId('s3-bucket-public-access-block'), 'REMEDIATED'],
        [actionId('s3-encryption-kms'), 'REMEDIATED'],
        // The TLS-only control only detects by default: a new bucket has no policy denying plain HTTP.
        [actionId('s3-secure-transport'), 'DETECTED'],
      ].sort(),
    );
  });

  it('finds the actions in a table-wide listing too', async () => {
    const { actionId } = await repairedNewBucket();

    const listing = await listAuditRecords(deps(), { limit: 1000 });

    expect(listing.records.map((record) => record.actionId)).toContain(actionId('s3-encryption-kms'));
  });

  it('re-applies the state before the fix and records the undo', async () => {
    const { bucket, actionId } = await repairedNewBucket();

    const result = await undoAction(deps(), actionId('s3-encryption-kms'));

    expect(result).toMatchObject({ status: 'UNDONE', verified: true, resource: bucket });
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
    const listing = await listAuditRecords(deps(), { bucket, limit: 10 });
    expect(listing.records.find((record) => record.undoOf === actionId('s3-encryption-kms'))).toBeDefined();
    if (result.status === 'UNDONE') expect(result.exemptInstruction).toContain('exemptBuckets');
  });

  it('puts back the public statement a policy rollback removed', async () => {
    const config = localConfig();
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('undo');
    await resetBucket(s3, bucket, { encryption: { kmsKeyArn: config.kmsKeyArn }, publicAccessBlock: 'all' });
    const event = retargetEvent(loadSampleEvent('s3/put-bucket-policy-public-next-to-legit.json'), {
      bucket,
      accountId: config.accountId,
    });
    await setBucketPolicy(s3, bucket, policyDocumentOf(event));
    const result = await invokeLocal('s3-guard', event, config, repoPolicy, QUIET);

    const undone = await undoAction(deps(), `${result.eventId}:s3-public-policy`);

    expect(undone).toMatchObject({ status: 'UNDONE', verified: true });
    expect(statementsOf(await readBucketPolicy(s3, bucket))).toHaveLength(3);
  });

  it('refuses, writing nothing, when the bucket changed after the fix', async () => {
    const { bucket, actionId } = await repairedNewBucket();
    const { s3 } = makeClients();
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    );
    const before = await readBucketSnapshot(s3, bucket);

    const result = await undoAction(deps(), actionId('s3-encryption-kms'));

    expect(result).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('changed since') });
    expect(await readBucketSnapshot(s3, bucket)).toEqual(before);
  });

  it('says a second undo of the same action was already done, and writes nothing', async () => {
    const { bucket, actionId } = await repairedNewBucket();
    const first = await undoAction(deps(), actionId('s3-encryption-kms'));
    const afterFirst = await readBucketSnapshot(makeClients().s3, bucket);

    const second = await undoAction(deps(), actionId('s3-encryption-kms'));

    expect(first.status).toBe('UNDONE');
    expect(second).toMatchObject({
      status: 'ALREADY_UNDONE',
      undoActionId: first.status === 'UNDONE' ? first.undoActionId : 'no first undo',
      undoneBy: 'integration test',
    });
    expect(await readBucketSnapshot(makeClients().s3, bucket)).toEqual(afterFirst);
    const undos = (await listAuditRecords(deps(), { bucket, limit: 10 })).records.filter(
      (record) => record.undoOf === actionId('s3-encryption-kms'),
    );
    expect(undos).toHaveLength(1);
  });

  it('refuses an unknown action id', async () => {
    const result = await undoAction(deps(), 'no-such-event:s3-encryption-kms');

    expect(result).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('No audit record') });
  });
});
