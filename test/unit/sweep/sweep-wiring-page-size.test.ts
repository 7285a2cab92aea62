import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { BUCKETS_PER_PAGE } from '#shared/s3/list-buckets.ts';
import { buildSweepEngine } from '../../../functions/sweep-worker/wiring.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const config: GuardConfig = {
  region: 'us-east-1',
  kmsKeyArn: WARDEN_KEY_ARN,
  alertTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:warden-alerts`,
  idempotencyTable: 'warden-idempotency',
  auditTable: 'warden-audit',
  ownSessionArns: [`arn:aws:sts::${ACCOUNT_ID}:assumed-role/warden-sweep-worker-role/warden-sweep-worker`],
  policy: makePolicy(),
};
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const listItem = {
  kind: 'list' as const,
  sweepId: 'sweep-1',
  startedAt: '2026-12-01T03:00:00.000Z',
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  page: 0,
};

describe('sweep engine wiring, bucket listing page', () => {
  const s3Mock = mockClient(S3Client);
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a-bucket' }] });
  });
  const engineWith = (bucketsPerPage?: number) =>
    buildSweepEngine(config, {
      log: quiet,
      metrics: { count: () => {} },
      ...(bucketsPerPage ? { bucketsPerPage } : {}),
    }).engine;

  it('lists pages of BUCKETS_PER_PAGE by default', async () => {
    await engineWith().handle(listItem);

    expect(s3Mock.commandCalls(ListBucketsCommand)[0]?.args[0].input.MaxBuckets).toBe(BUCKETS_PER_PAGE);
  });

  it('lists pages of the size given (the benchmark raises it for the emulator)', async () => {
    const result = await engineWith(5_000).handle(listItem);

    expect(s3Mock.commandCalls(ListBucketsCommand)[0]?.args[0].input.MaxBuckets).toBe(5_000);
    expect(result.children).toEqual([expect.objectContaining({ kind: 'buckets', buckets: ['a-bucket'] })]);
  });
});
