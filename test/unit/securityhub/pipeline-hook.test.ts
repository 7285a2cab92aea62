import { describe, expect, it, vi } from 'vitest';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { sweepCall } from '#shared/events/sweep-call.ts';
import { createGuard, type GuardPlugin } from '#shared/guard/pipeline.ts';
import type { FindingsReport, FindingsReporter } from '#shared/securityhub/findings-reporter.ts';
import { loadApiCall, makePolicy } from '../../fixtures.ts';

/** The event's own time plus 4.5 s: when the fake guard has repaired and read back the bucket. */
const EVENT = loadApiCall('s3/delete-bucket-encryption.json', { eventTime: '2026-12-04T10:00:00Z' });
const FIXED_AT = new Date('2026-12-04T10:00:04.500Z');

function plugin(status: OutcomeStatus): GuardPlugin<string> {
  const outcome = (bucket: string): ControlOutcome => ({
    controlId: 's3-encryption-kms',
    title: 'Default encryption',
    severity: 'HIGH',
    compliance: ['Security Hub S3.17'],
    resource: bucket,
    status,
    reason: 'SSE-S3',
    actions: status === 'REMEDIATED' ? ['Set SSE-KMS'] : [],
  });
  return {
    eventNames: [EVENT.eventName, 'WardenSweep'],
    scope: (call) => ({ subject: String(call.requestParameters.bucketName) }),
    remediate: async (_call, bucket) => ({ outcomes: [outcome(bucket)] }),
    describe: (call, bucket) => ({
      resourceType: 'AWS::S3::Bucket',
      resource: bucket,
      accountId: call.accountId,
    }),
  };
}

function setup(status: OutcomeStatus, findings?: FindingsReporter) {
  const metrics = { count: vi.fn(), milliseconds: vi.fn() };
  const published: string[] = [];
  const guard = createGuard(
    {
      config: { ownSessionArns: [], policy: makePolicy() },
      alerts: {
        publish: async (alert) => {
          published.push(alert.eventId);
          return 'message-1';
        },
      },
      audit: { record: async () => {} },
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics,
      clock: { now: () => FIXED_AT },
      once: (_step, fn) => fn,
      ...(findings ? { findings } : {}),
    },
    plugin(status),
  );
  return { guard, metrics, published };
}

describe('the guard pipeline and Security Hub', () => {
  it('hands every outcome, the violations and the resource to the findings hook', async () => {
    const reports: FindingsReport[] = [];
    const { guard } = setup('REMEDIATED', { report: async (report) => void reports.push(report) });

    await guard(EVENT);

    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      call: { eventId: EVENT.eventId, eventTime: '2026-12-04T10:00:00Z' },
      subject: { resourceType: 'AWS::S3::Bucket', accountId: EVENT.accountId },
      outcomes: [expect.objectContaining({ status: 'REMEDIATED' })],
      violations: [expect.objectContaining({ status: 'REMEDIATED' })],
    });
  });

  it('repairs and alerts even when the findings hook fails: counted, the event processed', async () => {
    const failing: FindingsReporter = {
      report: async () => {
        throw new Error('Security Hub unreachable');
      },
    };
    const { guard, metrics, published } = setup('REMEDIATED', failing);

    const result = await guard(EVENT);

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['REMEDIATED']);
    expect(published).toEqual([EVENT.eventId]);
    expect(metrics.count).toHaveBeenCalledWith('FindingsImportFailures');
  });

  it('runs without the hook when Security Hub is off', async () => {
    const { guard } = setup('DETECTED');

    await expect(guard(EVENT)).resolves.toMatchObject({ status: 'PROCESSED' });
  });
});

describe('event-to-fixed latency', () => {
  it('is the time from CloudTrail eventTime to the verified repair', async () => {
    const { guard, metrics } = setup('REMEDIATED');

    await guard(EVENT);

    expect(metrics.milliseconds).toHaveBeenCalledExactlyOnceWith('EventToFixedMs', 4_500);
  });

  it.each(['DETECTED', 'FAILED', 'ALREADY_COMPLIANT'] as const)(
    'is not measured when nothing was fixed (%s)',
    async (status) => {
      const { guard, metrics } = setup(status);

      await guard(EVENT);

      expect(metrics.milliseconds).not.toHaveBeenCalled();
    },
  );

  it("is not measured for the sweep's synthetic calls", async () => {
    const { guard, metrics } = setup('REMEDIATED');
    const call: ApiCall = sweepCall({
      sweepId: 's-1',
      accountId: EVENT.accountId,
      region: EVENT.region,
      startedAt: '2026-12-04T09:00:00Z',
      bucket: 'my-bucket',
    });

    const result = await guard(call);

    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['REMEDIATED']);
    expect(metrics.milliseconds).not.toHaveBeenCalled();
  });
});
