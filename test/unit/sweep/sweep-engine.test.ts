import { describe, expect, it, vi } from 'vitest';
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import { AccessDeniedError, RetryableAwsError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { createSweepEngine, type SweepEngineDeps } from '#shared/sweep/engine.ts';
import { memorySweepHistory } from '#shared/sweep/history.ts';
import { runSweep } from '#shared/sweep/run.ts';
import { totalsOf } from '#shared/sweep/tally.ts';
import { BUCKETS_PER_ITEM } from '#shared/sweep/work-items.ts';
import { ACCOUNT_ID, makePolicy } from '../../fixtures.ts';

const STARTED = '2026-12-01T03:00:00.000Z';
const WHERE = { sweepId: 's1', startedAt: STARTED, accountId: ACCOUNT_ID, region: 'us-east-1' };

const outcome = (controlId: string, status: ControlOutcome['status'], resource: string): ControlOutcome =>
  ({
    controlId,
    title: controlId,
    severity: controlId === 's3-public-policy' ? 'CRITICAL' : 'HIGH',
    compliance: [],
    resource,
    status,
    reason: `${controlId} ${status}`,
    actions: status === 'REMEDIATED' ? ['Set something'] : [],
  }) as ControlOutcome;

const processed = (...outcomes: ControlOutcome[]): GuardResult => ({ status: 'PROCESSED', outcomes });

function engineWith(overrides: Partial<SweepEngineDeps> = {}) {
  const judged: ApiCall[] = [];
  const deps: SweepEngineDeps = {
    policy: makePolicy(),
    listBuckets: async () => ({ buckets: ['a-bucket', 'b-bucket'] }),
    judge: async (call) => {
      judged.push(call);
      const bucket = call.requestParameters.bucketName as string | undefined;
      return processed(
        outcome(
          bucket ? 's3-encryption-kms' : 's3-account-public-access-block',
          'ALREADY_COMPLIANT',
          bucket ?? 'account',
        ),
      );
    },
    rootAccessKeys: async () => 0,
    previousSweep: async () => undefined,
    bucketConcurrency: 2,
    attempts: 3,
    pause: vi.fn(async () => {}),
    log: { info: vi.fn(), warn: vi.fn() },
    ...overrides,
  };
  return { engine: createSweepEngine(deps), judged, deps };
}

describe('sweep engine', () => {
  it('turns a listed page into batches of buckets and the next page', async () => {
    const names = Array.from({ length: BUCKETS_PER_ITEM + 3 }, (_, i) => `bucket-${i}`);
    const { engine } = engineWith({
      listBuckets: async () => ({ buckets: names, continuationToken: 'next' }),
    });

    const result = await engine.handle({ kind: 'list', ...WHERE, page: 0 });

    expect(result.children).toEqual([
      { kind: 'buckets', ...WHERE, buckets: names.slice(0, BUCKETS_PER_ITEM) },
      { kind: 'buckets', ...WHERE, buckets: names.slice(BUCKETS_PER_ITEM) },
      { kind: 'list', ...WHERE, page: 1, continuationToken: 'next' },
    ]);
  });

  it('records a denied listing as an error of that account and region, and lists nothing more', async () => {
    const { engine } = engineWith({
      listBuckets: async () => {
        throw new AccessDeniedError('ListBuckets denied by an SCP');
      },
    });

    const result = await engine.handle({ kind: 'list', ...WHERE, page: 0 });

    expect(result.children).toEqual([]);
    expect(result.tally.errors).toEqual([
      {
        accountId: ACCOUNT_ID,
        region: 'us-east-1',
        resource: 'bucket listing (page 1)',
        reason: expect.stringContaining('SCP'),
      },
    ]);
  });

  it('retries a throttled bucket with backoff a bounded number of times, then records it and goes on', async () => {
    const pause = vi.fn(async (_milliseconds: number) => {});
    const { engine } = engineWith({
      pause,
      judge: async (call) => {
        if (call.requestParameters.bucketName === 'slow-bucket') throw new RetryableAwsError('SlowDown');
        return processed(
          outcome('s3-encryption-kms', 'ALREADY_COMPLIANT', String(call.requestParameters.bucketName)),
        );
      },
    });

    const result = await engine.handle({
      kind: 'buckets',
      ...WHERE,
      buckets: ['slow-bucket', 'fine-bucket'],
    });

    expect(pause.mock.calls.map(([ms]) => ms)).toEqual([500, 1000]);
    expect(result.tally.errors).toMatchObject([
      { resource: 'slow-bucket', reason: expect.stringContaining('SlowDown') },
    ]);
    expect(result.tally.resources).toBe(1);
  });

  it('counts a bucket deleted between listing and reading as skipped, not as an error', async () => {
    const { engine } = engineWith({
      judge: async () => ({ status: 'IGNORED', reason: 'gone-bucket was deleted', outcomes: [] }),
    });

    const result = await engine.handle({ kind: 'buckets', ...WHERE, buckets: ['gone-bucket'] });

    expect(result.tally).toMatchObject({ skipped: 1, resources: 0, errors: [] });
  });

  it('judges every bucket through the pipeline with one sweep call per bucket', async () => {
    const { engine, judged } = engineWith();

    await engine.handle({ kind: 'buckets', ...WHERE, buckets: ['a-bucket', 'b-bucket'] });

    expect(judged.map((call) => [call.eventName, call.eventId, call.requestParameters.bucketName])).toEqual([
      ['WardenSweep', `sweep-s1-${ACCOUNT_ID}-us-east-1-a-bucket`, 'a-bucket'],
      ['WardenSweep', `sweep-s1-${ACCOUNT_ID}-us-east-1-b-bucket`, 'b-bucket'],
    ]);
  });

  it('reports root access keys from the account summary, alert only', async () => {
    const { engine } = engineWith({ rootAccessKeys: async () => 1 });

    const result = await engine.handle({ kind: 'account', ...WHERE });

    expect(
      result.tally.findings.map((f) => [f.outcome.controlId, f.outcome.status, f.outcome.actions]),
    ).toEqual([['root-access-key', 'DETECTED', []]]);
  });

  it('does not read root keys when the policy switches the control off', async () => {
    const rootAccessKeys = vi.fn(async () => 1);
    const { engine } = engineWith({
      rootAccessKeys,
      policy: makePolicy({ controls: { 'root-access-key': { mode: 'off' } } }),
    });

    await engine.handle({ kind: 'account', ...WHERE });

    expect(rootAccessKeys).not.toHaveBeenCalled();
  });

  it('counts a repair as drift only where an earlier complete sweep enforced that control', async () => {
    const history = memorySweepHistory();
    await history.record(
      { accountId: ACCOUNT_ID, region: 'us-east-1' },
      { sweepId: 's0', completedAt: STARTED, enforced: ['s3-encryption-kms'] },
    );
    const { engine } = engineWith({
      previousSweep: (where) => history.previous(where),
      judge: async (call) =>
        processed(
          outcome('s3-encryption-kms', 'REMEDIATED', String(call.requestParameters.bucketName)),
          outcome('s3-public-acl', 'REMEDIATED', String(call.requestParameters.bucketName)),
        ),
    });

    const result = await engine.handle({ kind: 'buckets', ...WHERE, buckets: ['a-bucket'] });

    expect(result.tally.drift).toBe(1);
  });

  it('runs a whole sweep: every bucket once, the account once, totals and progress', async () => {
    const progress = vi.fn();
    const names = Array.from({ length: 120 }, (_, i) => `bucket-${String(i).padStart(3, '0')}`);
    const pages = [names.slice(0, 100), names.slice(100)];
    const { engine, judged } = engineWith({
      listBuckets: async (_where, token) =>
        token ? { buckets: pages[1] ?? [] } : { buckets: pages[0] ?? [], continuationToken: 't' },
    });
    const history = memorySweepHistory();

    const tally = await runSweep(
      engine,
      { sweepId: 's1', startedAt: STARTED, accounts: [{ accountId: ACCOUNT_ID, regions: ['us-east-1'] }] },
      {
        accountConcurrency: 2,
        onProgress: progress,
        history,
        enforced: ['s3-encryption-kms'],
        now: () => new Date(STARTED),
      },
    );

    expect(judged.filter((call) => call.eventName === 'WardenSweep')).toHaveLength(120);
    expect(new Set(judged.map((call) => call.eventId)).size).toBe(121);
    // 120 buckets, the account's settings and its root user.
    expect(totalsOf(tally)).toMatchObject({ resources: 122, compliant: 122, errors: 0 });
    expect(progress).toHaveBeenLastCalledWith({ bucketsDone: 120, bucketsKnown: 120, listing: false });
    expect(await history.previous({ accountId: ACCOUNT_ID, region: 'us-east-1' })).toEqual(
      new Set(['s3-encryption-kms']),
    );
  });

  it('does not record an account-region with an error in the history', async () => {
    const { engine } = engineWith({
      listBuckets: async () => {
        throw new AccessDeniedError('denied');
      },
    });
    const history = memorySweepHistory();

    await runSweep(
      engine,
      { sweepId: 's1', startedAt: STARTED, accounts: [{ accountId: ACCOUNT_ID, regions: ['us-east-1'] }] },
      { accountConcurrency: 1, history, enforced: [], now: () => new Date(STARTED) },
    );

    expect(await history.previous({ accountId: ACCOUNT_ID, region: 'us-east-1' })).toBeUndefined();
  });
});
