import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import { loadApiCall, WARDEN_KEY_ARN } from '../../fixtures.ts';
import { setupGuard } from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const ALL_ON = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
};
const SSE_S3 = {
  ServerSideEncryptionConfiguration: {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }],
  },
};
const SSE_KMS = {
  ServerSideEncryptionConfiguration: {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms' as const,
          KMSMasterKeyID: WARDEN_KEY_ARN,
        },
        BucketKeyEnabled: true,
      },
    ],
  },
};

/**
 * Powertools Idempotency as two simultaneous invocations see it: while one runs a step for an event,
 * the other's call of the same step is refused with IdempotencyAlreadyInProgressError.
 */
function inProgressOnce(): OnceWrapper {
  const running = new Set<string>();
  const done = new Map<string, unknown>();
  return (step, fn) => async (input) => {
    const key = `${step}#${input.eventId}`;
    if (done.has(key)) return done.get(key) as Awaited<ReturnType<typeof fn>>;
    if (running.has(key)) throw new IdempotencyAlreadyInProgressError(`${key} is in progress`);
    running.add(key);
    try {
      const result = await fn(input);
      done.set(key, result);
      return result;
    } finally {
      running.delete(key);
    }
  };
}

/** A once wrapper that refuses only `step`, as if another invocation were running it now. */
const refusing =
  (refused: string): OnceWrapper =>
  (step, fn) =>
  async (input) => {
    if (step === refused) throw new IdempotencyAlreadyInProgressError(`${step} is in progress`);
    return fn(input);
  };

describe('a simultaneous duplicate delivery', () => {
  beforeEach(() => {
    s3Mock.reset();
    kmsMock.reset();
    kmsMock
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', Enabled: true } });
    s3Mock.on(GetPublicAccessBlockCommand).resolves(ALL_ON);
    s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
  });

  it('ends quietly: IGNORED with a reason, counted as DuplicateInProgress, logged at info, nothing thrown', async () => {
    const { guard, alerts, log, metrics } = setupGuard({}, { once: inProgressOnce() });
    const call = loadApiCall('s3/delete-bucket-encryption.json');

    const [first, second] = await Promise.all([guard(call), guard(call)]);

    expect(first).toMatchObject({ status: 'PROCESSED', outcomes: [{ status: 'REMEDIATED' }] });
    expect(second).toMatchObject({
      eventId: call.eventId,
      status: 'IGNORED',
      reason: expect.stringContaining('another invocation'),
      outcomes: [],
    });
    expect(metrics.count).toHaveBeenCalledWith('DuplicateInProgress');
    expect(log.info).toHaveBeenCalledWith(
      'Duplicate delivery in progress',
      expect.objectContaining({ eventId: call.eventId }),
    );
    expect(log.error).not.toHaveBeenCalled();
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketEncryptionCommand, 1);
    expect(alerts).toHaveLength(1);
  });

  it('ends quietly too when only the alert is in progress elsewhere', async () => {
    const { guard, alerts, metrics } = setupGuard({}, { once: refusing('alert') });

    const result = await guard(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result).toMatchObject({ status: 'IGNORED', outcomes: [] });
    expect(metrics.count).toHaveBeenCalledWith('DuplicateInProgress');
    expect(alerts).toHaveLength(0);
  });

  it('still throws any other error from the once wrapper, so Lambda retries', async () => {
    const failing: OnceWrapper = () => async () => {
      throw new Error('DynamoDB unavailable');
    };
    const { guard, metrics } = setupGuard({}, { once: failing });

    await expect(guard(loadApiCall('s3/delete-bucket-encryption.json'))).rejects.toThrow(
      'DynamoDB unavailable',
    );
    expect(metrics.count).not.toHaveBeenCalledWith('DuplicateInProgress');
  });
});
