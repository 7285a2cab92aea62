import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { FightKey } from '#shared/audit/fight-store.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { Severity } from '#shared/contracts/controls.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { sweepCall } from '#shared/events/sweep-call.ts';
import type { FightState } from '#shared/guard/fight.ts';
import type { GuardFightStore, PausedControls } from '#shared/guard/fights.ts';
import { createGuard, type GuardPlugin } from '#shared/guard/pipeline.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { loadApiCall, makePolicy } from '../../fixtures.ts';

const START = Date.parse('2026-11-20T10:00:00Z');
const TERRAFORM_ROLE = 'arn:aws:iam::123456789012:role/terraform-deployer';
const TERRAFORM_AGENT = 'Terraform/1.9.8';

/** The fight state table as a map, one item per account, region and resource. */
function memoryFights() {
  const items = new Map<string, FightState>();
  const id = (key: FightKey) => `${key.accountId}/${key.region}/${key.resource}`;
  const store: GuardFightStore = {
    read: async (key) => items.get(id(key)) ?? {},
    update: async (key, change) => {
      const changed = change(items.get(id(key)) ?? {});
      items.set(id(key), changed.state);
      return changed.result;
    },
  };
  return { items, store };
}

/**
 * A guard that finds the bucket's policy public every time (another actor keeps re-applying it) and
 * repairs it, unless the pipeline says the control is paused on the bucket.
 */
function plugin(severity: Severity, seen: PausedControls[]): GuardPlugin<string> {
  const outcome = (status: ControlOutcome['status'], reason: string, bucket: string): ControlOutcome => ({
    controlId: 's3-public-policy',
    title: 'Bucket policy is not public',
    severity,
    compliance: [],
    resource: bucket,
    status,
    reason,
    actions: status === 'REMEDIATED' ? ['Removed statement PublicRead'] : [],
  });
  return {
    eventNames: ['PutBucketPolicy', 'WardenSweep'],
    scope: (call) => ({ subject: String(call.requestParameters.bucketName) }),
    async remediate(_call, bucket, pausedFor) {
      // It always has something to repair, so it asks first.
      const paused = await pausedFor();
      seen.push(paused);
      const because = paused['s3-public-policy'];
      return {
        outcomes: [
          because
            ? outcome('DETECTED', `The bucket policy is public. (${because})`, bucket)
            : outcome('REMEDIATED', 'The bucket policy is public.', bucket),
        ],
      };
    },
    describe: (call, bucket) => ({
      resourceType: 'AWS::S3::Bucket',
      resource: bucket,
      accountId: call.accountId,
    }),
  };
}

function setup(severity: Severity, policy: Partial<PolicyInput> = {}, withStore = true) {
  let now = START;
  const alerts: Alert[] = [];
  const audits: AuditRecord[] = [];
  const paused: PausedControls[] = [];
  const fights = memoryFights();
  const metrics = { count: vi.fn() };
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const guard = createGuard(
    {
      config: { ownSessionArns: [], policy: makePolicy(policy) },
      alerts: {
        publish: async (alert) => {
          alerts.push(alert);
          return `msg-${alerts.length}`;
        },
      },
      audit: { record: async (records) => void audits.push(...records) },
      log,
      metrics,
      clock: { now: () => new Date(now) },
      once: (_step, fn) => fn,
      ...(withStore ? { fights: fights.store } : {}),
    },
    plugin(severity, paused),
  );
  let events = 0;
  /** Terraform re-applies the public policy at this minute, and the guard handles the event. */
  const reapplyAt = (minute: number, overrides: Partial<ApiCall> = {}) => {
    now = START + minute * 60_000;
    events += 1;
    return guard(
      loadApiCall('s3/put-bucket-policy-public-by-terraform.json', {
        eventId: `event-${events}`,
        userAgent: TERRAFORM_AGENT,
        ...overrides,
      }),
    );
  };
  const sweepAt = (minute: number) => {
    now = START + minute * 60_000;
    const startedAt = new Date(now).toISOString();
    return guard(
      sweepCall({
        sweepId: `s${minute}`,
        accountId: '123456789012',
        region: 'us-east-1',
        startedAt,
        bucket: 'example-bucket',
      }),
    );
  };
  return { alerts, audits, paused, fights, metrics, log, reapplyAt, sweepAt };
}

const fightRecords = (audits: readonly AuditRecord[]) => audits.filter((record) => record.fight);

describe('never fight forever, through the guard pipeline', () => {
  let run: ReturnType<typeof setup>;

  describe('a CRITICAL exposure', () => {
    beforeEach(() => {
      run = setup('CRITICAL');
    });

    it('alerts on each of the first two repairs as usual', async () => {
      await run.reapplyAt(0);
      await run.reapplyAt(4);

      expect(run.alerts.map((alert) => alert.title)).toEqual([
        'Warden repaired example-bucket',
        'Warden repaired example-bucket',
      ]);
      expect(fightRecords(run.audits)).toEqual([]);
    });

    it('sends one alert naming the fight and the other actor on the third repair in the window', async () => {
      for (const minute of [0, 4, 8]) await run.reapplyAt(minute);

      const alert = run.alerts[2];
      expect(alert?.title).toBe('Warden is in a fight over s3-public-policy on example-bucket');
      expect(alert?.severity).toBe('CRITICAL');
      expect(alert?.summary).toContain('3 repairs of s3-public-policy on example-bucket in 8 min');
      expect(alert?.summary).toContain(`${TERRAFORM_ROLE} (user agent "${TERRAFORM_AGENT}"): 3 time(s)`);
      expect(alert?.summary).toContain('keeps repairing it without an alert each time');
      expect(run.metrics.count).toHaveBeenCalledWith('FightsStarted', { control: 's3-public-policy' });
    });

    it('records the fight in the audit trail beside the repair', async () => {
      for (const minute of [0, 4, 8]) await run.reapplyAt(minute);

      expect(fightRecords(run.audits)).toEqual([
        expect.objectContaining({
          actionId: 'event-3:s3-public-policy:fight',
          resource: 'example-bucket',
          outcome: expect.objectContaining({ status: 'DETECTED', actions: [] }),
          fight: {
            kind: 'started',
            repairs: 3,
            minutes: 8,
            opponents: [`${TERRAFORM_ROLE} (${TERRAFORM_AGENT}): 3`],
            next: 'repairing silently',
          },
        }),
      ]);
      expect(run.audits.filter((record) => record.outcome.status === 'REMEDIATED')).toHaveLength(3);
    });

    it('keeps repairing silently: audited, not alerted', async () => {
      for (const minute of [0, 4, 8, 12, 16, 20]) await run.reapplyAt(minute);

      expect(run.alerts).toHaveLength(3);
      expect(run.paused.every((paused) => Object.keys(paused).length === 0)).toBe(true);
      expect(run.audits.filter((record) => record.outcome.status === 'REMEDIATED')).toHaveLength(6);
    });

    it('reports again once an hour has passed since the fight was announced', async () => {
      for (const minute of [0, 4, 8, 30, 67, 68, 70]) await run.reapplyAt(minute);

      expect(run.alerts).toHaveLength(4);
      const report = run.alerts[3];
      expect(report?.title).toBe('Warden is in a fight over s3-public-policy on example-bucket');
      expect(report?.summary).toMatch(
        /^The fight goes on: 3 repairs of s3-public-policy on example-bucket in 60 min/,
      );
      expect(fightRecords(run.audits).map((record) => record.fight?.kind)).toEqual(['started', 'reported']);
    });

    it('counts a repair by the sweep but names only CloudTrail actors', async () => {
      await run.reapplyAt(0);
      await run.sweepAt(2);
      await run.reapplyAt(4);

      expect(run.alerts[2]?.summary).toContain(
        `${TERRAFORM_ROLE} (user agent "${TERRAFORM_AGENT}"): 2 time(s)`,
      );
      expect(run.alerts[2]?.summary).toContain('drift found by the sweep: 1 time(s)');
    });

    it('keeps fights of different buckets apart', async () => {
      await run.reapplyAt(0);
      await run.reapplyAt(1, { requestParameters: { bucketName: 'other-bucket' } });
      await run.reapplyAt(2);

      expect(run.alerts.map((alert) => alert.title)).not.toContain(
        'Warden is in a fight over s3-public-policy on example-bucket',
      );
    });
  });

  describe('a non-critical exposure', () => {
    beforeEach(() => {
      run = setup('HIGH', { fights: { repairs: 3, windowMinutes: 10, coolDownMinutes: 30 } });
    });

    it('pauses enforcement for the cool-down and says so', async () => {
      for (const minute of [0, 4, 8]) await run.reapplyAt(minute);

      expect(run.alerts[2]?.summary).toContain(
        'Warden pauses enforcing s3-public-policy on example-bucket until 2026-11-20T10:38:00.000Z (detect only meanwhile)',
      );
      expect(fightRecords(run.audits)[0]?.fight?.next).toBe('paused until 2026-11-20T10:38:00.000Z');
    });

    it('tells the guard before it acts, which reports the control detected, with the reason, and no alert', async () => {
      for (const minute of [0, 4, 8]) await run.reapplyAt(minute);

      const result = await run.reapplyAt(12);

      expect(run.paused[3]?.['s3-public-policy']).toMatch(
        /^enforcement paused until 2026-11-20T10:38:00.000Z \(a fight since 2026-11-20T10:08:00.000Z: arn:aws:iam::123456789012:role\/terraform-deployer/,
      );
      expect(result.outcomes[0]).toMatchObject({
        status: 'DETECTED',
        reason: expect.stringContaining('enforcement paused'),
      });
      expect(run.alerts).toHaveLength(3);
      expect(run.audits.at(-1)?.outcome.status).toBe('DETECTED');
    });

    it('enforces again once the cool-down is over', async () => {
      for (const minute of [0, 4, 8, 20]) await run.reapplyAt(minute);

      const result = await run.reapplyAt(38);

      expect(run.paused.at(-1)).toEqual({});
      expect(result.outcomes[0]?.status).toBe('REMEDIATED');
      expect(run.alerts.at(-1)?.title).toBe('Warden repaired example-bucket');
    });
  });

  it('reads no fight state when the guard has nothing to repair', async () => {
    const read = vi.fn(async () => ({}));
    const guard = createGuard(
      {
        config: { ownSessionArns: [], policy: makePolicy() },
        alerts: { publish: vi.fn() },
        audit: { record: vi.fn() },
        log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
        metrics: { count: vi.fn() },
        clock: { now: () => new Date(START) },
        once: (_step, fn) => fn,
        fights: { read, update: vi.fn() },
      },
      {
        ...plugin('CRITICAL', []),
        remediate: async () => ({ outcomes: [] }),
      },
    );

    await guard(loadApiCall('s3/put-bucket-policy-public-by-terraform.json'));

    expect(read).not.toHaveBeenCalled();
  });

  it('repairs and alerts every time without a fight store', async () => {
    const plain = setup('CRITICAL', {}, false);
    for (const minute of [0, 1, 2, 3]) await plain.reapplyAt(minute);

    expect(plain.alerts.map((alert) => alert.title)).toEqual(Array(4).fill('Warden repaired example-bucket'));
  });

  it('follows the policy’s threshold and window', async () => {
    const strict = setup('CRITICAL', { fights: { repairs: 2, windowMinutes: 5, coolDownMinutes: 60 } });
    await strict.reapplyAt(0);
    await strict.reapplyAt(6);
    await strict.reapplyAt(9);

    expect(strict.alerts.map((alert) => alert.title)).toEqual([
      'Warden repaired example-bucket',
      'Warden repaired example-bucket',
      'Warden is in a fight over s3-public-policy on example-bucket',
    ]);
  });
});
