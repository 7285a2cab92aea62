import { KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { SECURE_TRANSPORT_SID } from '#shared/model/policy/secure-transport.ts';
import { loadApiCall, loadEvent } from '../../fixtures.ts';
import { ALL_ON, awsError, sampleSlot, setupGuard, stubHealthyBucket } from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const ENFORCE_TLS = { controls: { 's3-secure-transport': { mode: 'enforce' as const } } };
const policyOf = (file: string): string =>
  JSON.stringify(
    (loadEvent(file).detail as { requestParameters: { bucketPolicy: unknown } }).requestParameters
      .bucketPolicy,
  );
const sidsOf = (policy: string | null | undefined): unknown[] =>
  policy
    ? [(JSON.parse(policy) as { Statement: unknown }).Statement]
        .flat()
        .map((s) => (s as { Sid?: string }).Sid)
    : [];

/** S3's policy as a variable: GetBucketPolicy returns what PutBucketPolicy stored last. */
function bucketPolicyStartingAs(initial: string | null) {
  const bucket = { policy: initial };
  s3Mock.on(GetBucketPolicyCommand).callsFake(() => {
    if (bucket.policy === null) throw awsError('NoSuchBucketPolicy', 404);
    return { Policy: bucket.policy };
  });
  s3Mock.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
    bucket.policy = input.Policy;
    return {};
  });
  s3Mock.on(DeleteBucketPolicyCommand).callsFake(() => {
    bucket.policy = null;
    return {};
  });
  return bucket;
}

describe('s3-guard: secure transport', () => {
  beforeEach(() => stubHealthyBucket(s3Mock, kmsMock));

  it('merges the TLS Deny into the policy put, keeps the rest, and records the merged policy as the baseline', async () => {
    const bucket = bucketPolicyStartingAs(policyOf('s3/put-bucket-policy-role-only.json'));
    const { guard, baselines, alerts } = setupGuard(ENFORCE_TLS);

    const result = await guard(loadApiCall('s3/put-bucket-policy-role-only.json'));

    expect(result.outcomes.find((outcome) => outcome.controlId === 's3-secure-transport')).toMatchObject({
      status: 'REMEDIATED',
    });
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
    expect(sidsOf(bucket.policy)).toEqual(['AllowAnalyticsRole', SECURE_TRANSPORT_SID]);
    expect(baselines.get(sampleSlot('example-bucket'))?.policy).toBe(bucket.policy);
    expect(alerts).toHaveLength(1);
  });

  it('writes nothing on a second delivery of a change: the Deny is there', async () => {
    const bucket = bucketPolicyStartingAs(policyOf('s3/put-bucket-policy-role-only.json'));
    const { guard } = setupGuard(ENFORCE_TLS);
    await guard(loadApiCall('s3/put-bucket-policy-role-only.json'));
    const merged = bucket.policy;

    const again = await guard(
      loadApiCall('s3/put-bucket-policy-role-only.json', { eventId: 'another-event' }),
    );

    expect(again.outcomes.find((outcome) => outcome.controlId === 's3-secure-transport')?.status).toBe(
      'ALREADY_COMPLIANT',
    );
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
    expect(bucket.policy).toBe(merged);
  });

  it('makes one write carrying the public rollback and the TLS Deny when both controls enforce', async () => {
    s3Mock.on(GetPublicAccessBlockCommand).resolvesOnce({}).resolves(ALL_ON);
    const bucket = bucketPolicyStartingAs(policyOf('s3/put-bucket-policy-public.json'));
    const { guard } = setupGuard(ENFORCE_TLS);

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
    expect(sidsOf(bucket.policy)).toEqual([SECURE_TRANSPORT_SID]);
    expect(s3Mock).toHaveReceivedCommand(PutPublicAccessBlockCommand);
    expect(
      result.outcomes
        .filter((outcome) => ['s3-public-policy', 's3-secure-transport'].includes(outcome.controlId))
        .map((outcome) => outcome.status),
    ).toEqual(['REMEDIATED', 'REMEDIATED']);
  });

  it('only reports a policy deleted in detect mode (the default), writing nothing', async () => {
    bucketPolicyStartingAs(null);
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/delete-bucket-policy.json'));

    expect(result.outcomes.find((outcome) => outcome.controlId === 's3-secure-transport')).toMatchObject({
      status: 'DETECTED',
      actions: [
        expect.stringMatching(/^Would replace the bucket policy: wrote a policy holding only the statement/),
      ],
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(alerts).toHaveLength(1);
  });
});
