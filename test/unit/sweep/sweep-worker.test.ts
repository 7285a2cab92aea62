import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import { exemptionsExpiringSoon } from '#shared/policy/exemptions.ts';
import { listBucketPage } from '#shared/s3/list-buckets.ts';
import { sweepDigest } from '#shared/sweep/digest.ts';
import type { SweepEngine } from '#shared/sweep/engine.ts';
import { memorySweepHistory } from '#shared/sweep/history.ts';
import type { SweepLedger, SweepStart, SweepState } from '#shared/sweep/ledger.ts';
import { EMPTY_TALLY, mergeTallies, type SweepTally } from '#shared/sweep/tally.ts';
import { type SweepWorkItem, workItemKey } from '#shared/sweep/work-items.ts';
import { planAccounts, startSweep } from '../../../functions/sweep-planner/sweep-planner.ts';
import { processSweepRecords } from '../../../functions/sweep-worker/sweep-worker.ts';
import { ACCOUNT_ID, makePolicy, ORGANIZATION_DEPLOYMENT } from '../../fixtures.ts';

const STARTED = '2026-12-01T03:00:00.000Z';
const START: SweepStart = {
  sweepId: 's1',
  startedAt: STARTED,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  accounts: [{ accountId: ACCOUNT_ID, regions: ['us-east-1'] }],
};

const finding = (
  status: ControlOutcome['status'],
  severity: ControlOutcome['severity'],
  resource: string,
) => ({
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  outcome: {
    controlId: 's3-public-policy',
    title: 'Public policy',
    severity,
    compliance: [],
    resource,
    status,
    reason: 'public',
    actions: [],
  } as ControlOutcome,
});

/** The ledger in memory, with the same counting rules as the DynamoDB one. */
function memoryLedger() {
  let state: SweepState | undefined;
  const markers = new Set<string>();
  const tallies: SweepTally[] = [];
  const ledger: SweepLedger = {
    start: async (sweep, pending) => {
      state = { ...sweep, pending };
    },
    spawned: async (_id, key, count) => {
      if (count === 0 || markers.has(`S#${key}`) || !state) return;
      markers.add(`S#${key}`);
      state = { ...state, pending: state.pending + count };
    },
    done: async (_id, key, tally) => {
      if (!state) throw new Error('no ledger');
      if (!markers.has(`D#${key}`)) {
        markers.add(`D#${key}`);
        tallies.push(tally);
        state = { ...state, pending: state.pending - 1 };
      }
      return state;
    },
    tally: async () => tallies.reduce(mergeTallies, EMPTY_TALLY),
    claimDigest: async (_id, at) => {
      if (!state || state.digestSentAt) return false;
      state = { ...state, digestSentAt: at };
      return true;
    },
    releaseDigest: async () => {
      if (state) {
        const { digestSentAt: _sent, ...rest } = state;
        state = rest;
      }
    },
  };
  return { ledger, state: () => state };
}

function workerWith(handle: SweepEngine['handle'], publish = vi.fn(async (_alert: Alert) => 'm1')) {
  const { ledger, state } = memoryLedger();
  const sent: SweepWorkItem[] = [];
  const rejected: string[] = [];
  const completed: unknown[] = [];
  const deps = {
    engine: { handle },
    ledger,
    queue: { send: async (items: readonly SweepWorkItem[]) => void sent.push(...items) },
    history: memorySweepHistory(),
    alerts: { publish },
    enforced: ['s3-public-policy'],
    policy: makePolicy(),
    metrics: { sweepCompleted: (values: unknown) => void completed.push(values) },
    log: { info: vi.fn(), warn: vi.fn() },
    now: () => new Date('2026-12-01T03:10:00.000Z'),
    rejected: (reason: string) => void rejected.push(reason),
  };
  return { deps, ledger, state, sent, rejected, completed, publish };
}

const record = (item: unknown, messageId = 'm-1') => ({ messageId, body: JSON.stringify(item) });
const LIST: SweepWorkItem = {
  kind: 'list',
  sweepId: 's1',
  startedAt: STARTED,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  page: 0,
};
const BATCH: SweepWorkItem = {
  kind: 'buckets',
  sweepId: 's1',
  startedAt: STARTED,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  buckets: ['a-bucket'],
};
const DETECTED_ONE: SweepTally = {
  ...EMPTY_TALLY,
  resources: 1,
  byControl: { 's3-public-policy': { DETECTED: 1 } },
  findings: [finding('DETECTED', 'HIGH', 'b')],
};

describe('sweep worker', () => {
  it('drops a malformed item with a reason instead of retrying it forever', async () => {
    const { deps, rejected } = workerWith(async () => ({ children: [], tally: EMPTY_TALLY }));

    const response = await processSweepRecords(deps, {
      Records: [{ messageId: 'bad', body: '{"kind":"list"}' }],
    });

    expect(response.batchItemFailures).toEqual([]);
    expect(rejected).toEqual([expect.stringContaining('sweep work item bad is malformed')]);
  });

  it('enqueues what an item found before counting it done, and sends one digest after the last item', async () => {
    const tally: SweepTally = {
      ...EMPTY_TALLY,
      resources: 1,
      byControl: { 's3-public-policy': { REMEDIATED: 1 } },
      findings: [finding('REMEDIATED', 'CRITICAL', 'a-bucket')],
    };
    const { deps, ledger, sent, publish, completed } = workerWith(async (item) =>
      item.kind === 'list' ? { children: [BATCH], tally: EMPTY_TALLY } : { children: [], tally },
    );
    await ledger.start(START, 1);

    await processSweepRecords(deps, { Records: [record(LIST)] });
    expect(sent).toEqual([BATCH]);
    expect(publish).not.toHaveBeenCalled();
    await processSweepRecords(deps, { Records: [record(BATCH, 'm-2')] });

    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish.mock.calls[0]?.[0]).toMatchObject({ eventId: 'sweep-s1', severity: 'CRITICAL' });
    expect(completed).toMatchObject([{ repairs: 1, durationMs: 600_000 }]);
  });

  it('counts a redelivered item once and does not send a second digest', async () => {
    const { deps, ledger, publish } = workerWith(async () => ({ children: [], tally: DETECTED_ONE }));
    await ledger.start(START, 1);

    await processSweepRecords(deps, { Records: [record(BATCH)] });
    await processSweepRecords(deps, { Records: [record(BATCH)] });

    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('gives the digest back when publishing fails, so the retried item sends it', async () => {
    const publish = vi.fn(async (_alert: Alert) => 'm1').mockRejectedValueOnce(new Error('SNS down'));
    const { deps, ledger, state } = workerWith(async () => ({ children: [], tally: DETECTED_ONE }), publish);
    await ledger.start(START, 1);

    const first = await processSweepRecords(deps, { Records: [record(BATCH)] });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(state()?.digestSentAt).toBeUndefined();
    await processSweepRecords(deps, { Records: [record(BATCH)] });

    expect(publish).toHaveBeenCalledTimes(2);
    expect(state()?.digestSentAt).toBeDefined();
  });

  it('keys items stably, so the same page or batch de-duplicates', () => {
    expect(workItemKey(LIST)).toBe(`${ACCOUNT_ID}#us-east-1#list#0`);
    expect(workItemKey(BATCH)).toBe(`${ACCOUNT_ID}#us-east-1#buckets#a-bucket#1`);
  });
});

describe('sweep digest', () => {
  it('says nothing when everything was compliant', () => {
    expect(
      sweepDigest(
        { ...START, dryRun: false },
        { ...EMPTY_TALLY, resources: 3, byControl: { 's3-public-policy': { ALREADY_COMPLIANT: 3 } } },
      ),
    ).toBeUndefined();
  });

  it('names every CRITICAL finding and the worst others, and gives the command for the rest', () => {
    const findings = [
      ...Array.from({ length: 25 }, (_, i) => finding('REMEDIATED', 'CRITICAL', `critical-${i}`)),
      ...Array.from({ length: 30 }, (_, i) => finding('DETECTED', 'MEDIUM', `medium-${i}`)),
    ];
    const digest = sweepDigest(
      { ...START, dryRun: false },
      {
        ...EMPTY_TALLY,
        resources: 55,
        byControl: { 's3-public-policy': { REMEDIATED: 25, DETECTED: 30 } },
        findings,
      },
    );

    expect(digest?.outcomes.filter((o) => o.severity === 'CRITICAL')).toHaveLength(25);
    expect(digest?.outcomes).toHaveLength(45);
    expect(digest?.summary).toContain(
      `10 more findings are not named here: npx warden audit list --since ${STARTED}`,
    );
    expect(digest?.outcomes[0]?.reason).toContain(`critical-0 (${ACCOUNT_ID}, us-east-1)`);
  });

  it('warns of exemptions that expire within a week, even when all else is compliant', () => {
    const policy = makePolicy({
      s3: { exemptBuckets: [{ bucket: 'reports-*', reason: 'SEC-1', expires: '2026-12-05' }] },
    } as Parameters<typeof makePolicy>[0]);
    const digest = sweepDigest(
      { ...START, dryRun: false, expiringExemptions: exemptionsExpiringSoon(policy, new Date(STARTED)) },
      EMPTY_TALLY,
    );

    expect(digest?.summary).toContain('Exemption reports-* (SEC-1) expires in');
  });

  it('reports errors and drift even without findings', () => {
    const digest = sweepDigest(
      { ...START, dryRun: false },
      {
        ...EMPTY_TALLY,
        drift: 2,
        errors: [
          {
            accountId: '555566667777',
            region: 'us-east-1',
            resource: 'bucket listing (page 1)',
            reason: 'AccessDenied',
          },
        ],
      },
    );

    expect(digest?.severity).toBe('HIGH');
    expect(digest?.summary).toContain(
      'Not checked: bucket listing (page 1) (555566667777, us-east-1): AccessDenied',
    );
    expect(digest?.summary).toContain('Drift the events missed: 2');
  });
});

describe('bucket listing', () => {
  const s3Mock = mockClient(S3Client);
  beforeEach(() => s3Mock.reset());

  it('asks for one page of this region and passes the continuation token on', async () => {
    s3Mock.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a-bucket' }], ContinuationToken: 'next' });

    const page = await listBucketPage(new S3Client({ region: 'eu-west-1' }), 'eu-west-1', 'token-1', 1000);

    expect(page).toEqual({ buckets: ['a-bucket'], continuationToken: 'next' });
    expect(s3Mock.commandCalls(ListBucketsCommand)[0]?.args[0].input).toEqual({
      BucketRegion: 'eu-west-1',
      MaxBuckets: 1000,
      ContinuationToken: 'token-1',
    });
  });

  it('warns when a full page comes without a continuation token, instead of silently stopping', async () => {
    // The emulator: no continuation token, and asking for a bucket more shows one more.
    s3Mock.on(ListBucketsCommand).callsFake((input: { MaxBuckets: number }) => ({
      Buckets: ['a-bucket', 'b-bucket', 'c-bucket'].slice(0, input.MaxBuckets).map((Name) => ({ Name })),
    }));

    const page = await listBucketPage(new S3Client({ region: 'us-east-1' }), 'us-east-1', undefined, 2);

    expect(page.warning).toContain('buckets after b-bucket may not have been listed');
  });
});

describe('sweep planner', () => {
  const plannerDeps = (policy = makePolicy()) => {
    const sent: SweepWorkItem[] = [];
    const { ledger, state } = memoryLedger();
    return {
      sent,
      state,
      deps: {
        policy,
        accountId: ACCOUNT_ID,
        region: 'eu-west-1',
        accountsUnder: vi.fn(async () => ['210987654321', '333344445555']),
        ledger,
        queue: { send: async (items: readonly SweepWorkItem[]) => void sent.push(...items) },
        log: { info: vi.fn() },
        now: () => new Date(STARTED),
        newId: () => 'abcd1234',
      },
    };
  };

  it('sweeps this account in its watched regions in account mode', async () => {
    const { deps } = plannerDeps(
      makePolicy({ deployment: { mode: 'account', regions: ['eu-west-1', 'us-east-1'] } }),
    );

    expect(await planAccounts(deps)).toEqual([
      { accountId: ACCOUNT_ID, regions: ['eu-west-1', 'us-east-1'] },
    ]);
  });

  it('sweeps every account under the target OUs in organization mode, and counts its first items', async () => {
    const { deps, sent, state } = plannerDeps(makePolicy({ deployment: ORGANIZATION_DEPLOYMENT }));

    const started = await startSweep(deps);

    expect(deps.accountsUnder).toHaveBeenCalledWith(['ou-ab12-11111111']);
    expect(started).toEqual({ sweepId: '2026-12-01-abcd1234', accounts: 2, items: 4 });
    expect(sent.map((item) => [item.kind, item.accountId])).toEqual([
      ['account', '210987654321'],
      ['list', '210987654321'],
      ['account', '333344445555'],
      ['list', '333344445555'],
    ]);
    expect(state()?.pending).toBe(4);
  });
});
