import { CreateKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_RETRY } from '#shared/aws/clients.ts';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { listAuditRecords } from '../../cli/audit/audit-queries.ts';
import { synthHub } from '../infra/support/synth-hub.ts';
import { awsFault, FaultLayer, instrumentedS3Guard } from '../support/fault-injection.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * Faults the emulator cannot produce, injected into the real SDK clients of the real s3-guard use
 * case (wired as the Lambda runtime wires it: moto over HTTP, DynamoDB idempotency, SNS alerts read
 * back from the capture queue). The fault layer sits inside the SDK retry loop, so the SDK retries
 * injected errors exactly as it retries AWS's.
 */
const policy = loadPolicyFile('warden.policy.yaml');
const ATTEMPTS = CLIENT_RETRY.maxAttempts;

async function auditOf(bucket: string) {
  const config = localConfig();
  const documents = DynamoDBDocumentClient.from(makeClients(config).dynamodb);
  const { records } = await listAuditRecords(
    { documents, tableName: config.auditTable },
    { bucket, limit: 50 },
  );
  return records.map((record) => ({ controlId: record.outcome.controlId, status: record.outcome.status }));
}

/** The kind of audit-table item a PutItem writes (`ACTION`, `PENDING`, `BASELINE`), from its sort key. */
function auditItemKind(input: Record<string, unknown>): string | undefined {
  if (input.TableName !== localConfig().auditTable) return undefined;
  const sk = (input.Item as { sk?: { S?: string } } | undefined)?.sk?.S;
  return sk?.split('#')[0];
}

/** A bucket with SSE-S3 and Block Public Access on, and the event of someone deleting its KMS encryption. */
async function scenario(options: { kmsKeyArn?: string } = {}) {
  const config = localConfig();
  const bucket = uniqueBucketName('fault');
  await resetBucket(makeClients(config).s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });
  const event = retargetEvent(loadSampleEvent('s3/delete-bucket-encryption.json'), {
    bucket,
    accountId: config.accountId,
  });
  const call = normaliseApiCall(CloudTrailEventSchema.parse(event));
  const layer = new FaultLayer();
  const { guard, logs, metrics } = instrumentedS3Guard({ config, policy, layer, ...options });
  const encryption = async () => (await readBucketSnapshot(makeClients(config).s3, bucket)).encryption;
  return { bucket, call, layer, guard, logs, metrics, encryption, config };
}

describe('faults injected into s3-guard against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  describe('throttling, 5xx and timeouts', () => {
    it.each([
      ['SlowDown (503) on the fix', { command: 'PutBucketEncryptionCommand', error: awsFault.slowDown }],
      ['TimeoutError on the fix', { command: 'PutBucketEncryptionCommand', error: awsFault.timeout }],
      [
        'ServiceUnavailable (503) reading the bucket',
        { command: 'GetBucketEncryptionCommand', error: awsFault.serviceUnavailable },
      ],
      [
        'ThrottlingException on KMS DescribeKey',
        { command: 'DescribeKeyCommand', error: awsFault.throttling },
      ],
      [
        'SlowDown (503) on the read-back after the fix',
        { command: 'GetBucketEncryptionCommand', after: 1, error: awsFault.slowDown },
      ],
      [
        'ProvisionedThroughputExceeded writing the audit record',
        {
          command: 'PutItemCommand',
          when: (input: Record<string, unknown>) => auditItemKind(input) === 'ACTION',
          error: awsFault.throughputExceeded,
        },
      ],
      [
        'ProvisionedThroughputExceeded journaling the fix before it is sent',
        {
          command: 'PutItemCommand',
          when: (input: Record<string, unknown>) => auditItemKind(input) === 'PENDING',
          error: awsFault.throughputExceeded,
        },
      ],
    ])(
      '%s: retried by the SDK, thrown as retryable with no alert, then one repair and one alert on retry',
      async (_name, fault) => {
        const { call, layer, guard, bucket, encryption, config } = await scenario();
        layer.inject(fault);

        await expect(guard(call)).rejects.toBeInstanceOf(RetryableAwsError);
        expect(layer.attempts(fault.command, 'failed')).toBe(ATTEMPTS);
        expect(await takeAlerts()).toHaveLength(0);

        layer.clear();
        const retry = await guard(call);

        expect(retry.status).toBe('PROCESSED');
        expect(retry.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
        expect(await encryption()).toMatchObject({ algorithm: 'aws:kms', kmsKeyId: config.kmsKeyArn });
        expect(await takeAlerts()).toHaveLength(1);
        expect(await auditOf(bucket)).toEqual([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
      },
    );

    it('absorbs a transient timeout within the SDK retries: one repair, one alert, nothing thrown', async () => {
      const { call, layer, guard } = await scenario();
      layer.inject({ command: 'PutBucketEncryptionCommand', times: ATTEMPTS - 1, error: awsFault.timeout });

      const result = await guard(call);

      expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
      expect(layer.attempts('PutBucketEncryptionCommand')).toBe(ATTEMPTS);
      expect(await takeAlerts()).toHaveLength(1);
    });
  });

  describe('the bucket is deleted mid-remediation', () => {
    it('skips with a log line, no alert and no audit record', async () => {
      const { call, layer, guard, bucket, logs, metrics } = await scenario();
      layer.inject({
        command: 'PutBucketEncryptionCommand',
        times: 1,
        before: () =>
          makeClients()
            .s3.send(new DeleteBucketCommand({ Bucket: bucket }))
            .then(() => undefined),
      });

      const result = await guard(call);

      expect(result).toMatchObject({ status: 'IGNORED', reason: expect.stringContaining('deleted') });
      expect(layer.attempts('PutBucketEncryptionCommand')).toBe(1);
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'info',
          message: 'Event ignored',
          fields: expect.objectContaining({ reason: result.reason }),
        }),
      );
      expect(metrics.map((metric) => metric.name)).toContain('EventsIgnored');
      expect(await takeAlerts()).toHaveLength(0);
      expect(await auditOf(bucket)).toEqual([]);
    });
  });

  describe("Warden's KMS key is unusable", () => {
    it.each([
      [
        'Disabled',
        (kms: ReturnType<typeof makeClients>['kms'], keyId: string) =>
          kms.send(new DisableKeyCommand({ KeyId: keyId })),
      ],
      [
        'PendingDeletion',
        (kms: ReturnType<typeof makeClients>['kms'], keyId: string) =>
          kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })),
      ],
    ])('%s: leaves the bucket untouched, records FAILED and alerts', async (state, makeUnusable) => {
      const kms = makeClients().kms;
      const key = (await kms.send(new CreateKeyCommand({ Description: `Warden key, soon ${state}` })))
        .KeyMetadata;
      if (!key?.Arn || !key.KeyId) throw new Error('moto returned no key');
      await makeUnusable(kms, key.KeyId);
      const { call, layer, guard, bucket, encryption } = await scenario({ kmsKeyArn: key.Arn });

      const result = await guard(call);

      expect(result.outcomes).toMatchObject([{ status: 'FAILED', reason: expect.stringContaining(state) }]);
      expect(layer.writes('s3')).toEqual([]);
      expect(await encryption()).toMatchObject({ algorithm: 'AES256' });
      const alerts = await takeAlerts();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.notification.content.title).toContain('could not repair');
      expect(await auditOf(bucket)).toEqual([{ controlId: 's3-encryption-kms', status: 'FAILED' }]);
    });
  });

  describe('AccessDenied from a service control policy', () => {
    it.each([
      ['on the fix', { command: 'PutBucketEncryptionCommand' }],
      ['reading the bucket', { command: 'GetBucketEncryptionCommand' }],
      ['on the read-back after the fix', { command: 'GetBucketEncryptionCommand', after: 1 }],
    ])('%s: not retried, FAILED recorded in the audit table and alerted', async (_name, where) => {
      const { call, layer, guard, bucket } = await scenario();
      layer.inject({ ...where, error: awsFault.accessDeniedByScp });

      const result = await guard(call);

      expect(result.outcomes).toMatchObject([
        { status: 'FAILED', reason: expect.stringContaining('AccessDenied') },
      ]);
      expect(layer.attempts(where.command, 'failed')).toBe(1);
      expect(await auditOf(bucket)).toEqual([{ controlId: 's3-encryption-kms', status: 'FAILED' }]);
      expect(await takeAlerts()).toHaveLength(1);
    });

    it('a redelivery of the denied event does not try again', async () => {
      const { call, layer, guard } = await scenario();
      layer.inject({ command: 'PutBucketEncryptionCommand', error: awsFault.accessDeniedByScp });
      await guard(call);
      await takeAlerts();

      const again = await guard(call);

      expect(again.outcomes).toMatchObject([{ status: 'FAILED' }]);
      expect(layer.attempts('PutBucketEncryptionCommand')).toBe(1);
      expect(await takeAlerts()).toHaveLength(0);
    });
  });

  describe('SNS publish failure', () => {
    it('records the remediation, throws so Lambda retries, and the retry only publishes the alert, once', async () => {
      const { call, layer, guard, bucket, encryption, config } = await scenario();
      layer.inject({ command: 'PublishCommand', error: awsFault.internalError });

      await expect(guard(call)).rejects.toBeInstanceOf(RetryableAwsError);
      expect(layer.attempts('PublishCommand', 'failed')).toBe(ATTEMPTS);
      expect(await auditOf(bucket)).toEqual([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
      expect(await encryption()).toMatchObject({ algorithm: 'aws:kms', kmsKeyId: config.kmsKeyArn });
      expect(await takeAlerts()).toHaveLength(0);

      layer.clear();
      layer.resetCalls();
      const retry = await guard(call);
      const third = await guard(call);

      expect(retry).toMatchObject({ status: 'PROCESSED', outcomes: [{ status: 'REMEDIATED' }] });
      expect(third).toEqual(retry);
      expect(layer.writes('s3')).toEqual([]);
      expect(layer.calls.filter((c) => c.service === 's3' || c.service === 'kms')).toEqual([]);
      expect(layer.attempts('PublishCommand')).toBe(1);
      expect(await takeAlerts()).toHaveLength(1);
      expect(await auditOf(bucket)).toHaveLength(1);
    });

    it('is alarmed: the thrown error counts in the s3-guard Errors alarm, which notifies the alert topic', () => {
      const { template } = synthHub();
      const functions = template.findResources('AWS::Lambda::Function');
      const s3Guard = Object.keys(functions).find((id) => id.startsWith('S3Guard'));

      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: s3Guard } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });
  });
});
