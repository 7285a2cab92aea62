import { KMSClient } from '@aws-sdk/client-kms';
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
import { loadApiCall } from '../../fixtures.ts';
import { ALL_ON, awsError, SSE_KMS, SSE_S3, setupGuard, stubHealthyBucket } from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

/** The harness clock reads 2026-11-20T10:15:30Z. */
const exempt = (entry: Record<string, unknown>) =>
  setupGuard({ s3: { exemptBuckets: [{ bucket: 'example-*', reason: 'ticket SEC-12', ...entry }] } });

describe('s3-guard: exemptions per control', () => {
  beforeEach(() => {
    stubHealthyBucket(s3Mock, kmsMock);
    // A new bucket as S3 makes it: SSE-S3, no Block Public Access.
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .rejectsOnce(awsError('NoSuchPublicAccessBlockConfiguration', 404))
      .resolves(ALL_ON);
  });

  it('still repairs Block Public Access on a bucket exempt from encryption only', async () => {
    const { guard } = exempt({ controls: ['s3-encryption-kms'] });

    const result = await guard(loadApiCall('s3/create-bucket.json'));

    expect(result.outcomes.map((outcome) => [outcome.controlId, outcome.status])).toEqual([
      ['s3-bucket-public-access-block', 'REMEDIATED'],
      ['s3-public-acl', 'ALREADY_COMPLIANT'],
      ['s3-secure-transport', 'ALREADY_COMPLIANT'],
    ]);
    expect(s3Mock).toHaveReceivedCommand(PutPublicAccessBlockCommand);
    expect(s3Mock).not.toHaveReceivedCommand(GetBucketEncryptionCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('ignores an event whose every triggered control the exemption covers, naming them', async () => {
    const { guard, alerts } = exempt({ controls: ['s3-encryption-kms'] });

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result).toMatchObject({
      status: 'IGNORED',
      reason: 'bucket example-bucket is exempt by policy from s3-encryption-kms',
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(alerts).toHaveLength(0);
  });

  it('logs which exemption it used and why', async () => {
    const { guard, log } = exempt({ controls: ['s3-encryption-kms'] });

    await guard(loadApiCall('s3/create-bucket.json'));

    expect(log.info).toHaveBeenCalledWith(
      'Exemption applies',
      expect.objectContaining({
        bucket: 'example-bucket',
        pattern: 'example-*',
        controls: 's3-encryption-kms',
        reason: 'ticket SEC-12',
        status: 'active',
      }),
    );
  });
});

describe('s3-guard: exemptions that expire', () => {
  beforeEach(() => {
    stubHealthyBucket(s3Mock, kmsMock);
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
  });

  it('guards the bucket again once its exemption has expired, and says so in the log', async () => {
    const { guard, log } = exempt({ expires: '2026-11-19' });

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
    expect(s3Mock).toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(log.info).toHaveBeenCalledWith(
      'Exemption expired: Warden guards the bucket again',
      expect.objectContaining({ pattern: 'example-*', expires: '2026-11-19', status: 'expired' }),
    );
  });

  it('still applies an exemption until the end of its expiry day, with a warning that it expires soon', async () => {
    const { guard, log } = exempt({ expires: '2026-11-23' });

    const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(result).toMatchObject({ status: 'IGNORED', reason: 'bucket example-bucket is exempt by policy' });
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringContaining('Exemption used expires soon'),
      expect.objectContaining({
        bucket: 'example-bucket',
        status: 'expires in 3 days',
        reason: 'ticket SEC-12',
      }),
    );
  });

  it('does not warn about an exemption more than a week from its expiry', async () => {
    const { guard, log } = exempt({ expires: '2027-01-31' });

    await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(log.warn).not.toHaveBeenCalled();
  });
});
