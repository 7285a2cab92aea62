import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { loadApiCall, ORGANIZATION_DEPLOYMENT, WARDEN_KEY_ARN } from '../../fixtures.ts';
import {
  ALL_ON,
  awsError,
  memoOnce,
  memoryJournal,
  SSE_KMS,
  SSE_S3,
  setupGuard,
  stubHealthyBucket,
} from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

function setup(policy: Partial<PolicyInput> = {}, once: OnceWrapper = (_step, fn) => fn) {
  return setupGuard(policy, { once });
}

describe('s3-guard', () => {
  beforeEach(() => stubHealthyBucket(s3Mock, kmsMock));

  it('repairs SSE-S3 with Warden key, Bucket Key, SSE-C blocked and the expected owner', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketEncryptionCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: WARDEN_KEY_ARN },
            BucketKeyEnabled: true,
            BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
          },
        ],
      },
    });
    expect(alerts).toHaveLength(1);
  });

  it('records before and after in the outcome and the audit trail', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const { guard, audits } = setup();

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.outcomes[0]?.before).toEqual({
      encryption: [expect.objectContaining({ algorithm: 'AES256' })],
    });
    expect(result.outcomes[0]?.after).toEqual({
      encryption: [expect.objectContaining({ kmsKeyId: WARDEN_KEY_ARN })],
    });
    expect(audits).toMatchObject([
      { eventName: 'PutBucketEncryption', resource: 'example-bucket', outcome: { status: 'REMEDIATED' } },
    ]);
  });

  it('leaves a compliant bucket alone and stays quiet', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_KMS);
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(alerts).toHaveLength(0);
  });

  it('checks both controls on CreateBucket and sends one alert for both findings', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .rejectsOnce(awsError('NoSuchPublicAccessBlockConfiguration', 404))
      .resolves(ALL_ON);
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/create-bucket.json'));

    expect(result.outcomes.map((o) => [o.controlId, o.status])).toEqual([
      ['s3-encryption-kms', 'REMEDIATED'],
      ['s3-bucket-public-access-block', 'REMEDIATED'],
      ['s3-public-acl', 'ALREADY_COMPLIANT'],
      ['s3-secure-transport', 'ALREADY_COMPLIANT'],
    ]);
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
      PublicAccessBlockConfiguration: ALL_ON.PublicAccessBlockConfiguration,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.outcomes).toHaveLength(2);
  });

  it('only alerts in detect mode', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    const { guard, alerts } = setup({ controls: { 's3-encryption-kms': { mode: 'detect' } } });

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.outcomes).toMatchObject([
      { status: 'DETECTED', actions: [expect.stringContaining('SSE-KMS')] },
    ]);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(alerts[0]?.title).toContain('found a risky change');
  });

  it('skips a control switched off', async () => {
    const { guard } = setup({ controls: { 's3-encryption-kms': { mode: 'off' } } });
    s3Mock.on(GetPublicAccessBlockCommand).resolvesOnce({}).resolves(ALL_ON);

    const result = await guard(loadApiCall('s3/create-bucket.json'));

    expect(result.outcomes.map((o) => o.controlId)).toEqual([
      's3-bucket-public-access-block',
      's3-public-acl',
      's3-secure-transport',
    ]);
    expect(s3Mock).not.toHaveReceivedCommand(GetBucketEncryptionCommand);
  });

  it.each([
    ['a failed call', 's3/delete-bucket-encryption-failed-call.json', 'the call failed (AccessDenied)'],
    ["Warden's own remediation", 's3/put-bucket-encryption-by-warden.json', "Warden's own remediation"],
  ])('ignores %s without any AWS call', async (_label, file, reason) => {
    const { guard } = setup();

    const result = await guard(loadApiCall(file));

    expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining(reason) });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('never touches nor alerts on an exempt bucket (glob)', async () => {
    const { guard, alerts } = setup({ s3: { exemptBuckets: [{ bucket: 'example-*', reason: 'test' }] } });

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result).toMatchObject({ status: 'IGNORED', reason: 'bucket example-bucket is exempt by policy' });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(alerts).toHaveLength(0);
  });

  it('rejects an event without a bucket name', async () => {
    const { guard } = setup();

    const result = await guard(loadApiCall('invalid/no-bucket-name.json'));

    expect(result).toMatchObject({ status: 'REJECTED', reason: expect.stringContaining('bucketName') });
  });

  it('skips a bucket that no longer exists, without alert', async () => {
    s3Mock.on(GetBucketEncryptionCommand).rejects(awsError('NoSuchBucket', 404));
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('no longer exists') });
    expect(alerts).toHaveLength(0);
  });

  it('skips when the bucket is deleted while being repaired', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    s3Mock.on(PutBucketEncryptionCommand).rejects(awsError('NoSuchBucket', 404));
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('deleted while') });
    expect(alerts).toHaveLength(0);
  });

  it('throws a retryable error on throttling so Lambda retries, and alerts nothing yet', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    s3Mock.on(PutBucketEncryptionCommand).rejects(awsError('SlowDown', 503));
    const { guard, alerts } = setup();

    await expect(guard(loadApiCall('s3/delete-bucket-encryption.json'))).rejects.toBeInstanceOf(
      RetryableAwsError,
    );
    expect(alerts).toHaveLength(0);
  });

  it('records and alerts an AccessDenied fix (e.g. an SCP) without retrying', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    s3Mock.on(PutBucketEncryptionCommand).rejects(awsError('AccessDenied', 403));
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.outcomes).toMatchObject([
      { status: 'FAILED', reason: expect.stringContaining('AccessDenied') },
    ]);
    expect(alerts[0]?.title).toBe('Warden could not repair example-bucket');
    expect(audits).toHaveLength(1);
  });

  it('records and alerts when AccessDenied prevents reading the bucket', async () => {
    s3Mock.on(GetBucketEncryptionCommand).rejects(awsError('AccessDenied', 403));
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.outcomes).toMatchObject([
      { status: 'FAILED', reason: expect.stringContaining('could not read') },
    ]);
    expect(alerts).toHaveLength(1);
  });

  it.each([
    ['Disabled', false],
    ['PendingDeletion', false],
  ])('never points a bucket at a key that is %s', async (keyState, enabled) => {
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: keyState as 'Disabled', Enabled: enabled },
    });
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.outcomes).toMatchObject([{ status: 'FAILED', reason: expect.stringContaining(keyState) }]);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(alerts).toHaveLength(1);
  });

  it('reports a fix that does not hold on read-back as failed', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    const { guard } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.outcomes).toMatchObject([
      { status: 'FAILED', reason: expect.stringContaining('Read-back') },
    ]);
  });

  it('repairs once and alerts once when the same event arrives twice', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const { guard, alerts } = setup({}, memoOnce());
    const call = loadApiCall('s3/delete-bucket-encryption.json');

    await guard(call);
    await guard(call);

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketEncryptionCommand, 1);
    expect(alerts).toHaveLength(1);
  });

  it('retries only the alert when publishing failed after the repair', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const { guard, publish } = setup({}, memoOnce());
    publish.mockRejectedValueOnce(new RetryableAwsError('SNS unavailable'));
    const call = loadApiCall('s3/delete-bucket-encryption.json');

    await expect(guard(call)).rejects.toThrow('SNS unavailable');
    const retried = await guard(call);

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketEncryptionCommand, 1);
    expect(publish).toHaveBeenCalledTimes(2);
    expect(retried).toMatchObject({ status: 'PROCESSED', alertMessageId: 'msg-1' });
  });

  it('reports the repair on the retry after the read-back failed: REMEDIATED with the original before', async () => {
    s3Mock
      .on(GetBucketEncryptionCommand)
      .resolvesOnce(SSE_S3)
      .rejectsOnce(awsError('SlowDown', 503))
      .resolves(SSE_KMS);
    const { guard, alerts, audits } = setup({}, memoOnce());
    const call = loadApiCall('s3/delete-bucket-encryption.json');

    await expect(guard(call)).rejects.toBeInstanceOf(RetryableAwsError);
    const retried = await guard(call);

    expect(retried.outcomes).toMatchObject([
      {
        status: 'REMEDIATED',
        actions: [expect.stringContaining('SSE-KMS')],
        before: { encryption: [{ algorithm: 'AES256' }] },
        after: { encryption: [{ algorithm: 'aws:kms', kmsKeyId: WARDEN_KEY_ARN }] },
      },
    ]);
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketEncryptionCommand, 1);
    expect(audits.map((record) => record.outcome.status)).toEqual(['REMEDIATED']);
    expect(alerts).toHaveLength(1);
  });

  it('changes nothing and throws retryable when the journal cannot be written', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const failing = {
      read: async () => undefined,
      write: async () => Promise.reject(new RetryableAwsError('DynamoDB throttled')),
    };
    const { guard, alerts } = setupGuard({}, { journal: failing });

    await expect(guard(loadApiCall('s3/delete-bucket-encryption.json'))).rejects.toThrow(
      'DynamoDB throttled',
    );
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(alerts).toHaveLength(0);
  });

  it('records and alerts a fix whose read-back is denied (e.g. an SCP) as FAILED, without retrying', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).rejects(awsError('AccessDenied', 403));
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.outcomes).toMatchObject([
      { status: 'FAILED', reason: expect.stringMatching(/could not read it back.*AccessDenied/) },
    ]);
    expect(audits.map((record) => record.outcome.status)).toEqual(['FAILED']);
    expect(alerts).toHaveLength(1);
  });

  it('ignores a journal entry of another event: a new change is judged on its own', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_KMS);
    const journal = memoryJournal();
    await journal.store.write('example-bucket', 'another-event', {
      's3-encryption-kms': { before: {}, reason: 'earlier', actions: ['PutBucketEncryption'] },
    });
    const { guard, alerts } = setupGuard({}, { journal: journal.store });

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(alerts).toHaveLength(0);
  });

  it("ignores, in organization mode, the member role's own calls in any member account", async () => {
    const call = loadApiCall('s3/delete-bucket-encryption.json');
    const byMemberRole = {
      ...call,
      actor: {
        ...call.actor,
        principalArn: 'arn:aws:iam::210987654321:role/warden-remediation',
        arn: 'arn:aws:sts::210987654321:assumed-role/warden-remediation/warden-3f1c2a9e',
      },
    };
    const { guard, alerts } = setup({
      deployment: ORGANIZATION_DEPLOYMENT,
    });

    const result = await guard(byMemberRole);

    expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining("Warden's own") });
    expect(s3Mock).not.toHaveReceivedAnyCommand();
    expect(alerts).toHaveLength(0);
  });

  it('does not ignore a role of that name in account mode, where Warden assumes no member role', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const call = loadApiCall('s3/delete-bucket-encryption.json');
    const { guard } = setup();

    const result = await guard({
      ...call,
      actor: {
        ...call.actor,
        principalArn: 'arn:aws:iam::123456789012:role/warden-remediation',
        arn: 'arn:aws:sts::123456789012:assumed-role/warden-remediation/warden-3f1c2a9e',
      },
    });

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
  });

  it('handles the legacy encoding like the current one', async () => {
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
    const { guard } = setup();

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3-legacy.json'));

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED', resource: 'example-bucket' }]);
  });
});
