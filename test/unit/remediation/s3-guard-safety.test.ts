import { KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  PutBucketEncryptionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { ControlId } from '#shared/contracts/controls.ts';
import { s3EncryptionKms } from '#shared/controls/s3-encryption-kms.ts';
import type { BucketControl } from '#shared/controls/types.ts';
import { kmsKeyReader } from '#shared/s3/kms-key.ts';
import { createS3Guard } from '../../../functions/s3-guard/s3-guard.ts';
import { loadApiCall, makePolicy, WARDEN_KEY_ARN, WARDEN_SESSION_ARN } from '../../fixtures.ts';
import {
  memoryBaselines,
  memoryJournal,
  NOW,
  SSE_KMS,
  SSE_S3,
  sampleSlot,
  setupGuard,
  stubHealthyBucket,
} from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const BASELINE = { policy: '{"Statement":[]}', observedAt: '2026-11-01T00:00:00.000Z', eventId: 'e0' };

/** A second control over the encryption part, to see how the guard judges it after another control's fix. */
function encryptionControl(
  id: string,
  wants: 'aws:kms' | 'AES256',
  defaultMode: 'enforce' | 'detect',
): BucketControl {
  return {
    id: id as ControlId,
    title: `default encryption is ${wants}`,
    severity: 'LOW',
    compliance: [],
    triggers: ['PutBucketEncryption'],
    reads: ['encryption'],
    defaultMode,
    check: (state) =>
      state.encryption?.[0]?.algorithm === wants
        ? undefined
        : {
            controlId: id as ControlId,
            resource: state.bucket,
            summary: `Encryption is not ${wants}.`,
            observed: {},
          },
    fix: () => ({ blocked: 'this test control never fixes' }),
  };
}

function guardWith(controls: readonly BucketControl[]) {
  const baselines = memoryBaselines();
  return createS3Guard({
    config: { kmsKeyArn: WARDEN_KEY_ARN, ownSessionArns: [WARDEN_SESSION_ARN], policy: makePolicy({}) },
    s3: new S3Client({ region: 'us-east-1' }),
    s3Control: new S3ControlClient({ region: 'us-east-1' }),
    kmsKeys: kmsKeyReader(new KMSClient({ region: 'us-east-1' }), WARDEN_KEY_ARN),
    alerts: { publish: async () => 'msg' },
    audit: { record: async () => undefined },
    baselines: baselines.store,
    journal: memoryJournal().store,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { count: () => undefined },
    clock: { now: () => NOW },
    once: (_step, fn) => fn,
    pause: async () => undefined,
    controls,
    accountControls: [],
  });
}

describe('s3-guard safety', () => {
  beforeEach(() => {
    stubHealthyBucket(s3Mock, kmsMock);
    s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_KMS);
  });

  describe('policy baselines end with the bucket', () => {
    it('ends the baseline when a bucket of that name is created, dated at the event', async () => {
      const { guard, baselines, ended } = setupGuard(
        {},
        { baselines: { [sampleSlot('example-bucket')]: BASELINE } },
      );

      const created = loadApiCall('s3/create-bucket.json');
      await guard(created);

      // The old bucket's baseline is gone; what remains is the new bucket's policy, observed by this event.
      expect(baselines.get(sampleSlot('example-bucket'))).toMatchObject({ eventId: created.eventId });
      expect(ended.get(sampleSlot('example-bucket'))).toEqual({
        observedAt: '2026-11-20T10:15:01.000Z',
        eventId: loadApiCall('s3/create-bucket.json').eventId,
        reason: 'CreateBucket',
      });
    });

    it('ends the baseline on DeleteBucket, reading and writing nothing in S3', async () => {
      const { guard, baselines, alerts } = setupGuard(
        {},
        { baselines: { [sampleSlot('example-bucket')]: BASELINE } },
      );

      const result = await guard(loadApiCall('s3/delete-bucket.json'));

      expect(result).toMatchObject({ status: 'PROCESSED', outcomes: [] });
      expect(baselines.has(sampleSlot('example-bucket'))).toBe(false);
      expect(s3Mock.calls()).toHaveLength(0);
      expect(alerts).toHaveLength(0);
    });

    it('does not touch the baseline of the same name in another account or region', async () => {
      const other = '444455556666/us-east-1/example-bucket';
      const { guard, baselines } = setupGuard({}, { baselines: { [other]: BASELINE } });

      await guard(loadApiCall('s3/delete-bucket.json'));

      expect(baselines.get(other)).toEqual(BASELINE);
    });
  });

  describe('detect mode says what Warden would do', () => {
    it('words every planned action as "Would ..." and the reason as unchanged', async () => {
      s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_S3);
      const { guard, audits } = setupGuard({ controls: { 's3-encryption-kms': { mode: 'detect' } } });

      const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

      expect(result.outcomes[0]).toMatchObject({
        status: 'DETECTED',
        reason: expect.stringContaining('(detect mode: Warden changed nothing)'),
        actions: [expect.stringMatching(/^Would set default encryption to SSE-KMS/)],
      });
      expect(audits[0]?.outcome.actions).toEqual(result.outcomes[0]?.actions);
    });

    it('words a policy rollback in detect mode as "Would delete", never "Deleted"', async () => {
      s3Mock.on(GetBucketPolicyCommand).resolves({
        Policy: JSON.stringify({
          Statement: [
            { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
          ],
        }),
      });
      const { guard, alerts } = setupGuard({
        controls: { 's3-public-policy': { mode: 'detect' }, 's3-secure-transport': { mode: 'off' } },
      });

      await guard(loadApiCall('s3/put-bucket-policy-public.json'));

      const actions = alerts[0]?.outcomes.flatMap((outcome) => outcome.actions) ?? [];
      expect(actions).toEqual([expect.stringMatching(/^Would delete the bucket policy: /)]);
      expect(actions.join(' ')).not.toMatch(/Deleted/);
    });
  });

  describe('every outcome is judged on the state Warden leaves', () => {
    it("reports a detect-only finding that another control's fix resolved as remediated by that fix", async () => {
      s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
      const guard = guardWith([s3EncryptionKms, encryptionControl('test-wants-kms', 'aws:kms', 'detect')]);

      const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

      expect(result.outcomes).toMatchObject([
        { controlId: 's3-encryption-kms', status: 'REMEDIATED' },
        {
          controlId: 'test-wants-kms',
          status: 'REMEDIATED',
          reason: expect.stringContaining("Resolved by Warden's fix for s3-encryption-kms"),
          actions: [],
        },
      ]);
      expect(s3Mock).toHaveReceivedCommandTimes(PutBucketEncryptionCommand, 1);
    });

    it('never calls a control compliant when the state Warden left violates it', async () => {
      s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS);
      const guard = guardWith([s3EncryptionKms, encryptionControl('test-wants-aes', 'AES256', 'enforce')]);

      const result = await guard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

      expect(result.outcomes).toMatchObject([
        { controlId: 's3-encryption-kms', status: 'REMEDIATED' },
        {
          controlId: 'test-wants-aes',
          status: 'FAILED',
          reason: expect.stringContaining("after Warden's fix for s3-encryption-kms"),
        },
      ]);
    });
  });
});
