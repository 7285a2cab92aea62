import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { countAuditRecords } from '../../cli/local/audit-trail.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import { makePolicy } from '../fixtures.ts';
import {
  type BucketSetup,
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

/*
 * The built s3-guard bundle (the artefact CDK deploys) against moto over HTTP: real S3, KMS, SNS
 * and DynamoDB calls, real idempotency store, alerts read back from an SQS queue on the topic.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');

async function scenario(sample: string, setup: BucketSetup | 'missing', policy = repoPolicy) {
  const config = localConfig();
  const bucket = uniqueBucketName('it');
  if (setup !== 'missing') await resetBucket(makeClients().s3, bucket, setup);
  const event = retargetEvent(loadSampleEvent(sample), { bucket, accountId: config.accountId });
  const invoke = () => invokeLocal('s3-guard', event, config, policy, QUIET);
  return { bucket, event, invoke, config };
}

describe('s3-guard bundle against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('repairs SSE-S3 to SSE-KMS with Warden key and Bucket Key, and sends one alert', async () => {
    const { bucket, invoke, config } = await scenario('s3/put-bucket-encryption-sse-s3.json', {
      encryption: 'AES256',
      publicAccessBlock: 'all',
    });

    const result = await invoke();

    expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption).toEqual({
      algorithm: 'aws:kms',
      kmsKeyId: config.kmsKeyArn,
      bucketKeyEnabled: true,
    });
    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: `HIGH: Warden repaired ${bucket}` },
    });
  });

  it('repairs both controls of a new bucket with one alert and records both in the audit trail', async () => {
    const { bucket, invoke, config } = await scenario('s3/create-bucket.json', {});

    const result = await invoke();

    expect(result.outcomes.map((outcome) => [outcome.controlId, outcome.status])).toEqual([
      ['s3-encryption-kms', 'REMEDIATED'],
      ['s3-bucket-public-access-block', 'REMEDIATED'],
      // CreateBucket also runs the ACL control (a bucket created with a public canned ACL); this one is private.
      ['s3-public-acl', 'ALREADY_COMPLIANT'],
      // And the TLS-only control, detect by default: a new bucket has no policy denying plain HTTP.
      ['s3-secure-transport', 'DETECTED'],
    ]);
    const snapshot = await readBucketSnapshot(makeClients().s3, bucket);
    expect(snapshot.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const [alert] = await takeAlerts();
    expect(JSON.parse(alert?.notification.metadata.additionalContext.alert ?? '{}').outcomes).toHaveLength(3);
    expect(await countAuditRecords(makeClients().dynamodb, config.auditTable, bucket)).toBe(3);
  });

  it.each([
    's3/put-bucket-encryption-sse-s3-legacy.json',
    's3/delete-bucket-public-access-block-legacy.json',
    's3/put-bucket-public-access-block-partial-legacy.json',
  ])('handles the legacy encoding of %s', async (sample) => {
    const { invoke } = await scenario(sample, { encryption: 'AES256' });

    const result = await invoke();

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes.every((outcome) => outcome.status === 'REMEDIATED')).toBe(true);
  });

  it('stays quiet about a compliant bucket', async () => {
    const config = localConfig();
    const { invoke } = await scenario('s3/put-bucket-encryption-sse-s3.json', {
      encryption: { kmsKeyArn: config.kmsKeyArn },
      publicAccessBlock: 'all',
    });

    const result = await invoke();

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(await takeAlerts()).toHaveLength(0);
  });

  it('remediates and alerts once when the same event is delivered three times', async () => {
    const { invoke, bucket, config } = await scenario('s3/delete-bucket-encryption.json', {
      encryption: 'AES256',
    });

    const first = await invoke();
    await resetBucket(makeClients().s3, bucket, { encryption: 'AES256' });
    const second = await invoke();
    const third = await invoke();

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(await takeAlerts()).toHaveLength(1);
    expect(await countAuditRecords(makeClients().dynamodb, config.auditTable, bucket)).toBe(1);
    // The redelivery did not repair again: the bucket is as the reset left it.
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
  });

  it("ignores Warden's own remediation call", async () => {
    const { invoke, bucket } = await scenario('s3/put-bucket-encryption-by-warden.json', {
      encryption: 'AES256',
    });

    const result = await invoke();

    expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining("Warden's own") });
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
  });

  it('ignores a failed call', async () => {
    const { invoke } = await scenario('s3/delete-bucket-encryption-failed-call.json', {
      encryption: 'AES256',
    });

    expect(await invoke()).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('failed') });
  });

  it('logs and skips a bucket that no longer exists', async () => {
    const { invoke } = await scenario('s3/delete-bucket-encryption.json', 'missing');

    expect(await invoke()).toMatchObject({
      status: 'IGNORED',
      reason: expect.stringContaining('no longer exists'),
    });
    expect(await takeAlerts()).toHaveLength(0);
  });

  it('only alerts in detect mode', async () => {
    const policy = makePolicy({
      controls: { 's3-encryption-kms': { mode: 'detect' } },
    } satisfies Partial<PolicyInput>);
    const { invoke, bucket } = await scenario(
      's3/delete-bucket-encryption.json',
      { encryption: 'AES256' },
      policy,
    );

    const result = await invoke();

    expect(result.outcomes).toMatchObject([{ status: 'DETECTED' }]);
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
    expect(await takeAlerts()).toHaveLength(1);
  });

  it('never touches an exempt bucket', async () => {
    const policy = makePolicy({ s3: { exemptBuckets: [{ bucket: 'it-*', reason: 'test' }] } });
    const { invoke, bucket } = await scenario(
      's3/delete-bucket-encryption.json',
      { encryption: 'AES256' },
      policy,
    );

    expect(await invoke()).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('exempt') });
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
  });

  it('rejects a malformed event with the field named, without retrying', async () => {
    const config = localConfig();

    const result = await invokeLocal(
      's3-guard',
      loadSampleEvent('invalid/missing-event-id.json'),
      config,
      repoPolicy,
      QUIET,
    );

    expect(result).toMatchObject({ status: 'REJECTED', reason: expect.stringContaining('detail.eventID') });
  });

  it('refuses to use a disabled key and alerts instead', async () => {
    const { invoke, bucket, config } = await scenario('s3/delete-bucket-encryption.json', {
      encryption: 'AES256',
    });
    const kms = makeClients().kms;
    // moto answers DisableKey/EnableKey by ARN with an HTML error page: use the key id.
    const keyId = config.kmsKeyArn.split('/').pop();
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    try {
      const result = await invoke();

      expect(result.outcomes).toMatchObject([
        { status: 'FAILED', reason: expect.stringContaining('Disabled') },
      ]);
      expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption?.algorithm).toBe('AES256');
      expect((await takeAlerts())[0]?.notification.content.title).toContain('could not repair');
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    }
  });
});
