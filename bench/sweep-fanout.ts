/**
 * The sweep's fan-out at Organization scale, simulated (issue 10, "Speed and scale"): 1,000 accounts of
 * 1,000 buckets each, run through the real engine (createSweepEngine) and the real worker use case
 * (handleWorkItem: ledger, queue, digest) over in-memory fakes that take a fixed latency per AWS call
 * and, per account, answer SlowDown above a request rate, as S3 does. The queue is simulated with SQS
 * FIFO's message-group semantics and Lambda's cap (bench/fanout-sim.ts), on a virtual clock: hours of
 * AWS time in seconds of CPU.
 *
 * Assumed latencies (p50, same region): S3 bucket-configuration reads and writes 30 ms (AWS, "Best
 * Practices Design Patterns: Optimizing Amazon S3 Performance": small requests have median latencies
 * "in the range of tens of milliseconds"); a ListBuckets page of 1,000 buckets 100 ms; DynamoDB 10 ms
 * ("single-digit millisecond" in the DynamoDB Developer Guide); SQS and SNS 20 ms; IAM GetAccountSummary
 * 100 ms (a global service, us-east-1); 50 ms between one item and the next of the queue (delete, poll,
 * invoke: no published figure). The SDK's own retries are modelled as configured (3 attempts; throttling
 * back-off random up to 1 s, then 2 s), then the engine's (4 attempts, 0.5, 1, 2 s apart).
 */
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import { ACCOUNT_CONTROLS, BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { SWEEP_ACCOUNT_EVENT_NAME } from '#shared/events/sweep-call.ts';
import { modeOf } from '#shared/guard/evaluate.ts';
import { outcomeBase } from '#shared/guard/outcomes.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { listBucketPage } from '#shared/s3/list-buckets.ts';
import { createSweepEngine } from '#shared/sweep/engine.ts';
import type { SweepLedger, SweepStart, SweepState } from '#shared/sweep/ledger.ts';
import { EMPTY_TALLY, type SweepTally, totalsOf } from '#shared/sweep/tally.ts';
import { type SweepWorkItem, startItems } from '#shared/sweep/work-items.ts';
import { handleWorkItem } from '../functions/sweep-worker/sweep-worker.ts';
import { drainFifoQueue, seededRandom, TokenBucket, VirtualClock } from './fanout-sim.ts';

export const LATENCY_MS = {
  s3: 30,
  listBucketsPage: 100,
  dynamodb: 10,
  sqs: 20,
  sns: 20,
  iam: 100,
  handoff: 50,
} as const;
/** The SDK client's attempts (shared/aws/clients.ts) and its throttling back-off base (@smithy/core 2026 retries). */
const SDK_ATTEMPTS = 3;
const SDK_THROTTLING_BASE_MS = 1_000;
const SDK_MAX_DELAY_MS = 20_000;
/** Its retry quota per client: a throttling retry takes 5, a success gives 1 back (or the retry's 5). */
const SDK_RETRY_QUOTA = 500;
const SDK_RETRY_COST = 5;

export interface FanoutScenario {
  readonly accounts: number;
  readonly bucketsPerAccount: number;
  /** One bucket in `repairEvery` is SSE-S3: the sweep repairs it (journal, write, read-back, fight, audit). */
  readonly repairEvery: number;
  /** Requests a second per account above which S3 answers SlowDown (token bucket, one second of burst). */
  readonly s3RequestsPerSecond: number;
  readonly accountsInParallel: number;
  readonly bucketsInParallel: number;
  /**
   * As before the pipeline read the fight state only for repairs: read for every bucket, before its state
   * (one DynamoDB read and one round trip per compliant bucket). For comparison.
   */
  readonly fightStateForEveryBucket?: boolean;
}

export interface FanoutResult extends FanoutScenario {
  /** Simulated time from the first item to the digest. */
  readonly hours: number;
  readonly items: number;
  readonly peakInFlight: number;
  readonly s3Requests: number;
  readonly throttled: number;
  /** Buckets the sweep gave up on after every retry (recorded as errors, the rest went on). */
  readonly failedResources: number;
  readonly errorExamples: readonly string[];
  readonly checked: number;
  readonly repaired: number;
  /** Lambda time: the sum over items of the time each was in flight (what is billed, in GB-s at the memory). */
  readonly lambdaMinutes: number;
  readonly digestSent: boolean;
  readonly cpuSeconds: number;
  readonly unmet: readonly string[];
}

const quiet = { info: () => {}, warn: () => {} };
const accountIdOf = (index: number) => String(100_000_000_000 + index);
const bucketOf = (account: number, bucket: number) => `b-${account}-${String(bucket).padStart(4, '0')}`;

function slowDown(): Error {
  return Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
}

const outcomesOf = (
  controls: readonly Parameters<typeof outcomeBase>[0][],
  resource: string,
  repaired?: string,
): ControlOutcome[] =>
  controls.map((control) => ({
    ...outcomeBase(control, resource),
    status: control.id === repaired ? 'REMEDIATED' : 'ALREADY_COMPLIANT',
    reason: control.id === repaired ? 'Set SSE-KMS with Warden key' : 'compliant',
    actions: control.id === repaired ? ['PutBucketEncryption'] : [],
  }));

/** One simulated sweep of the whole Organization. */
export async function simulateFanout(scenario: FanoutScenario, policy: Policy): Promise<FanoutResult> {
  const cpuStarted = process.cpuUsage();
  const clock = new VirtualClock();
  const random = seededRandom(10);
  const accounts = new Map<string, { limiter: TokenBucket; retryQuota: number }>();
  const stats = { s3Requests: 0, throttled: 0, busyMs: 0 };

  /** The account's S3 limit and its SDK client's retry quota (one client per account, as the wiring caches). */
  const accountState = (accountId: string) => {
    let state = accounts.get(accountId);
    if (!state) {
      state = { limiter: new TokenBucket(scenario.s3RequestsPerSecond), retryQuota: SDK_RETRY_QUOTA };
      accounts.set(accountId, state);
    }
    return state;
  };
  /** One S3 request of an account, with the SDK's retries of SlowDown while its retry quota lasts. */
  async function s3(accountId: string, latency: number = LATENCY_MS.s3): Promise<void> {
    const account = accountState(accountId);
    for (let attempt = 0; ; attempt++) {
      stats.s3Requests += 1;
      const served = account.limiter.take(clock.now());
      await clock.sleep(latency);
      if (served) {
        account.retryQuota = Math.min(
          SDK_RETRY_QUOTA,
          account.retryQuota + (attempt > 0 ? SDK_RETRY_COST : 1),
        );
        return;
      }
      stats.throttled += 1;
      if (attempt + 1 >= SDK_ATTEMPTS || account.retryQuota < SDK_RETRY_COST) throw slowDown();
      account.retryQuota -= SDK_RETRY_COST;
      await clock.sleep(
        Math.floor(random() * Math.min(SDK_THROTTLING_BASE_MS * 2 ** attempt, SDK_MAX_DELAY_MS)),
      );
    }
  }
  const ddb = () => clock.sleep(LATENCY_MS.dynamodb);

  const bucketControls = BUCKET_CONTROLS.filter((control) => modeOf(control, policy) !== 'off');
  const accountControls = ACCOUNT_CONTROLS.filter((control) => modeOf(control, policy) !== 'off');
  /** The pipeline's calls for one resource (bench/sweep.ts counts them against moto): reads, and a repair's writes. */
  async function judge(call: ApiCall): Promise<GuardResult> {
    const header = { eventId: call.eventId, eventName: call.eventName, status: 'PROCESSED' as const };
    if (scenario.fightStateForEveryBucket) await ddb(); // fights: is enforcement paused here?
    if (call.eventName === SWEEP_ACCOUNT_EVENT_NAME) {
      await Promise.all([s3(call.accountId), ddb()]); // account Block Public Access, journal
      return { ...header, outcomes: outcomesOf(accountControls, call.accountId) };
    }
    const bucket = String(call.requestParameters.bucketName);
    const parts = new Set(bucketControls.flatMap((control) => control.reads));
    const s3Reads = [...parts].filter((part) => part !== 'wardenKey' && part !== 'baselinePolicy');
    // State parts in parallel, beside the journal and the policy baseline (the key is cached per container).
    await Promise.all([...s3Reads.map(() => s3(call.accountId)), ddb(), ddb()]);
    const index = Number(bucket.slice(-4));
    if (index % scenario.repairEvery !== 0)
      return { ...header, outcomes: outcomesOf(bucketControls, bucket) };
    if (!scenario.fightStateForEveryBucket) await ddb(); // fights, read only when about to repair
    await ddb(); // journal the fix
    await s3(call.accountId); // PutBucketEncryption
    await s3(call.accountId); // read back
    await ddb(); // fight
    await ddb(); // audit
    return { ...header, outcomes: outcomesOf(bucketControls, bucket, 's3-encryption-kms') };
  }

  const accountIds = Array.from({ length: scenario.accounts }, (_, index) => accountIdOf(index));
  const engine = createSweepEngine({
    policy,
    judge,
    listBuckets: async (where, token) => {
      const account = accountIds.indexOf(where.accountId);
      const fakeS3 = {
        send: async () => {
          await s3(where.accountId, LATENCY_MS.listBucketsPage);
          return {
            Buckets: Array.from({ length: scenario.bucketsPerAccount }, (_, bucket) => ({
              Name: bucketOf(account, bucket),
            })),
          };
        },
      };
      return listBucketPage(fakeS3 as never, where.region, token);
    },
    rootAccessKeys: async () => {
      await clock.sleep(LATENCY_MS.iam);
      return 0;
    },
    previousSweep: async () => {
      await ddb();
      return undefined;
    },
    bucketConcurrency: scenario.bucketsInParallel,
    attempts: 4,
    pause: (milliseconds) => clock.sleep(milliseconds),
    log: quiet,
  });

  const sweep: SweepStart = {
    sweepId: 'fanout',
    startedAt: new Date(0).toISOString(),
    accountId: accountIdOf(999_999),
    region: 'us-east-1',
    accounts: accountIds.map((accountId) => ({ accountId, regions: ['us-east-1'] })),
  };
  const initial = sweep.accounts.flatMap((account) => startItems(sweep, account));
  const ledger = memoryLedger(sweep, initial.length, ddb);
  const completed: { drift: number; durationMs: number }[] = [];
  let digests = 0;
  const worker = {
    engine,
    ledger,
    history: { previous: async () => undefined, record: ddb },
    alerts: {
      publish: async () => {
        digests += 1;
        await clock.sleep(LATENCY_MS.sns);
        return 'digest';
      },
    },
    enforced: [],
    policy,
    metrics: {
      sweepCompleted: (values: { drift: number; durationMs: number }) => void completed.push(values),
    },
    log: quiet,
    now: () => new Date(clock.now()),
  };

  const run = await clock.run(() =>
    drainFifoQueue<SweepWorkItem>({
      initial,
      groupOf: (item) => item.accountId,
      consumers: scenario.accountsInParallel,
      handoff: () => clock.sleep(LATENCY_MS.handoff),
      handle: async (item) => {
        const started = clock.now();
        const children: SweepWorkItem[] = [];
        const queue = {
          send: async (items: readonly SweepWorkItem[]) => {
            children.push(...items);
            for (let sent = 0; sent < items.length; sent += 10) await clock.sleep(LATENCY_MS.sqs);
          },
        };
        await handleWorkItem({ ...worker, queue }, item);
        stats.busyMs += clock.now() - started;
        return children;
      },
    }),
  );

  const totals = totalsOf(ledger.merged());
  const errors = ledger.errors();
  const buckets = scenario.accounts * scenario.bucketsPerAccount;
  const unmet = [
    ...(run.groupOverlap ? ['two items of one account ran at once'] : []),
    ...(run.peakInFlight > scenario.accountsInParallel ? [`${run.peakInFlight} items in flight`] : []),
    ...(digests !== 1 ? [`${digests} digests sent`] : []),
    ...(totals.resources + errors < buckets ? ['buckets neither judged nor recorded as failed'] : []),
  ];
  const cpu = process.cpuUsage(cpuStarted);
  return {
    ...scenario,
    hours: Number((clock.now() / 3_600_000).toFixed(3)),
    items: run.items,
    peakInFlight: run.peakInFlight,
    s3Requests: stats.s3Requests,
    throttled: stats.throttled,
    failedResources: errors,
    errorExamples: ledger.merged().errors.map((error) => `${error.resource}: ${error.reason}`),
    checked: totals.resources,
    repaired: totals.repaired,
    lambdaMinutes: Math.round(stats.busyMs / 60_000),
    digestSent: digests === 1 && completed.length === 1,
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    unmet,
  };
}

/**
 * The sweep ledger in memory, with DynamoDB's latency per call: it counts pending items and sums the
 * tallies' counts. Findings and errors are counted, not kept (mergeTallies sorts every finding on each
 * merge: fine for one account in the CLI, not for a million buckets in one process).
 */
function memoryLedger(sweep: SweepStart, initial: number, ddb: () => Promise<void>) {
  let pending = initial;
  let merged: SweepTally = EMPTY_TALLY;
  let errors = 0;
  let claimed = false;
  const state = (): SweepState => ({ ...sweep, pending });
  const ledger: SweepLedger & { merged(): SweepTally; errors(): number } = {
    start: async () => {},
    spawned: async (_sweepId, _key, count) => {
      await ddb();
      pending += count;
    },
    done: async (_sweepId, _key, tally) => {
      await ddb();
      pending -= 1;
      errors += tally.errors.length;
      merged = countsOnly(merged, tally);
      return state();
    },
    tally: async () => {
      await ddb();
      return merged;
    },
    claimDigest: async () => {
      await ddb();
      if (claimed) return false;
      claimed = true;
      return true;
    },
    releaseDigest: async () => {
      claimed = false;
    },
    merged: () => merged,
    errors: () => errors,
  };
  return ledger;
}

/** Sums the counts of two tallies; keeps no findings and the first few errors as examples. */
function countsOnly(a: SweepTally, b: SweepTally): SweepTally {
  const byControl: Record<string, Record<string, number>> = {};
  for (const tally of [a, b])
    for (const [control, counts] of Object.entries(tally.byControl)) {
      const merged = byControl[control] ?? {};
      for (const [status, count] of Object.entries(counts)) merged[status] = (merged[status] ?? 0) + count;
      byControl[control] = merged;
    }
  return {
    resources: a.resources + b.resources,
    byControl,
    skipped: a.skipped + b.skipped,
    findings: [],
    errors: [...a.errors, ...b.errors].slice(0, 5),
    drift: a.drift + b.drift,
  };
}
