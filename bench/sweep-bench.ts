/**
 * The sweep part of `npm run bench` (issue 10, "Speed and scale"): calls per bucket and throughput of
 * the sweep against moto at 100, 1,000 and 5,000 buckets (bench/sweep.ts), and the fan-out over an
 * Organization of 1,000 accounts x 1,000 buckets simulated on a virtual clock (bench/sweep-fanout.ts).
 * `npx tsx bench/sweep-bench.ts` runs this part alone and writes bench/results/<timestamp>-sweep.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { PROJECT_ROOT } from '../cli/local/paths.ts';
import { byService, SWEEP_SIZES, type SweepRun, type SweepSizeResult, sweepOnMoto } from './sweep.ts';
import { type FanoutResult, type FanoutScenario, LATENCY_MS, simulateFanout } from './sweep-fanout.ts';
import { table } from './table.ts';

const ORGANIZATION = { accounts: 1_000, bucketsPerAccount: 1_000, repairEvery: 20 } as const;
/** Requests a second per account above which the simulated S3 answers SlowDown (S3 publishes none). */
const S3_RATE = 50;
/** Full scale at the defaults; other settings on a fifth of the accounts (accounts are independent). */
const SETTINGS: readonly (Pick<
  FanoutScenario,
  'accountsInParallel' | 'bucketsInParallel' | 's3RequestsPerSecond' | 'fightStateForEveryBucket'
> & {
  readonly accounts: number;
})[] = [
  { accountsInParallel: 10, bucketsInParallel: 5, s3RequestsPerSecond: S3_RATE, accounts: 1_000 },
  {
    accountsInParallel: 10,
    bucketsInParallel: 5,
    s3RequestsPerSecond: Number.POSITIVE_INFINITY,
    accounts: 1_000,
  },
  { accountsInParallel: 10, bucketsInParallel: 1, s3RequestsPerSecond: S3_RATE, accounts: 200 },
  { accountsInParallel: 50, bucketsInParallel: 5, s3RequestsPerSecond: S3_RATE, accounts: 200 },
  { accountsInParallel: 100, bucketsInParallel: 2, s3RequestsPerSecond: S3_RATE, accounts: 200 },
  // What reading the fight state for every bucket cost, where latency (not S3's rate) bounds the sweep.
  {
    accountsInParallel: 10,
    bucketsInParallel: 5,
    s3RequestsPerSecond: Number.POSITIVE_INFINITY,
    accounts: 200,
    fightStateForEveryBucket: true,
  },
];

export interface SweepBenchResult {
  readonly moto: readonly SweepSizeResult[];
  /**
   * Seconds per 1,000 buckets at each size, and the largest size's over the best of the smaller ones
   * (1 = linear; the smallest carries the sweep's fixed cost: account settings, listing, loading clients).
   */
  readonly growth: { readonly secondsPer1000: readonly number[]; readonly ratio: number };
  readonly fanout: readonly FanoutResult[];
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly violations: readonly string[];
}

export async function runSweepBench(policy: Policy): Promise<SweepBenchResult> {
  const before = loadavg()[0] ?? 0;
  const moto: SweepSizeResult[] = [];
  for (const size of SWEEP_SIZES)
    moto.push(await sweepOnMoto(size, policy, { again: size === SWEEP_SIZES[0] }));
  const secondsPer1000 = moto.map((result) =>
    Number(((result.first.seconds / (result.buckets + result.provisioned)) * 1000).toFixed(1)),
  );
  const fanout: FanoutResult[] = [];
  for (const setting of SETTINGS) fanout.push(await simulateFanout({ ...ORGANIZATION, ...setting }, policy));
  return {
    moto,
    growth: {
      secondsPer1000,
      ratio: Number(((secondsPer1000.at(-1) ?? 0) / Math.min(...secondsPer1000.slice(0, -1))).toFixed(2)),
    },
    fanout,
    loadAverage: { before, after: loadavg()[0] ?? 0 },
    violations: [
      ...moto.flatMap((result) =>
        result.unmet.map((reason) => `sweep of ${result.buckets} buckets: ${reason}`),
      ),
      ...fanout.flatMap((result) =>
        result.unmet.map(
          (reason) => `fan-out ${result.accountsInParallel}x${result.bucketsInParallel}: ${reason}`,
        ),
      ),
    ],
  };
}

const calls = (perBucket: Record<string, number>) =>
  Object.entries(perBucket)
    .map(([call, count]) => `${call.split(':')[1]} ${count}`)
    .join(', ');
const services = (perBucket: Record<string, number>) =>
  Object.entries(byService(perBucket))
    .map(([service, count]) => `${service} ${count}`)
    .join(', ');
const rate = (value: number) => (Number.isFinite(value) ? `${value}/s` : 'none');

export function printSweepBench(result: SweepBenchResult): void {
  const [smallest] = result.moto;
  const runs: [string, SweepRun][] = smallest
    ? [
        [`first sweep (${smallest.buckets} buckets)`, smallest.first],
        ...(smallest.again ? [[`second sweep, right after`, smallest.again] as [string, SweepRun]] : []),
      ]
    : [];
  console.log(
    '\nSweep against moto: calls per compliant bucket (every attempt, attributed to the bucket its input names)',
  );
  console.log(
    table(
      [
        'run',
        'by service',
        'calls',
        'round trips',
        'per repaired bucket',
        'per sweep (listing, account, key)',
      ],
      runs.map(([name, run]) => [
        name,
        services(run.callsPerCompliantBucket),
        calls(run.callsPerCompliantBucket),
        run.compliantRoundTrips.median,
        services(run.callsPerRepairedBucket),
        calls(run.callsPerSweep),
      ]),
    ),
  );
  console.log(
    `\nSweep throughput against moto (one emulator per size; buckets made beforehand, not timed; one in ten SSE-S3, repaired; listed in one page of bucketsPerPage, raised for the emulator: moto returns no continuation token)`,
  );
  console.log(
    table(
      ['buckets', 'seconds', 'buckets/s', 's per 1,000', 'repaired', 'DescribeKey', 'page 1,000 on moto'],
      result.moto.map((size, index) => [
        size.provisioned > 0 ? `${size.buckets} + ${size.provisioned} of local mode` : size.buckets,
        size.first.seconds,
        size.first.bucketsPerSecond,
        result.growth.secondsPer1000[index] ?? '',
        size.first.totals.repaired,
        size.first.callsPerSweep['kms:DescribeKey'] ?? 0,
        size.productionListing.warning
          ? `${size.productionListing.listed} listed, warned`
          : `${size.productionListing.listed} listed`,
      ]),
    ),
  );
  console.log(
    `Growth: the time per bucket at ${SWEEP_SIZES.at(-1)} buckets is ${result.growth.ratio}x the best of the smaller sizes (1 = linear). Load average ${result.loadAverage.before.toFixed(1)} before, ${result.loadAverage.after.toFixed(1)} after.`,
  );
  console.log(
    `\nSweep fan-out, simulated: ${ORGANIZATION.accounts} accounts x ${ORGANIZATION.bucketsPerAccount} buckets (1 in ${ORGANIZATION.repairEvery} repaired), real engine and worker, FIFO message groups, S3 ${LATENCY_MS.s3} ms, DynamoDB ${LATENCY_MS.dynamodb} ms, SlowDown above a per-account rate (SDK and engine retries)`,
  );
  console.log(
    table(
      [
        'accounts x buckets at once',
        'S3 limit',
        'accounts simulated',
        'hours',
        'hours for 1,000 accounts',
        'S3 requests',
        'throttled',
        'failed buckets',
        'Lambda-hours',
      ],
      result.fanout.map((run) => [
        `${run.accountsInParallel} x ${run.bucketsInParallel}${run.fightStateForEveryBucket ? ' (fight state read for every bucket, as before)' : ''}`,
        rate(run.s3RequestsPerSecond),
        run.accounts,
        run.hours,
        Number(((run.hours * ORGANIZATION.accounts) / run.accounts).toFixed(2)),
        run.s3Requests,
        `${run.throttled} (${((run.throttled / run.s3Requests) * 100).toFixed(1)}%)`,
        run.failedResources,
        Number(((run.lambdaMinutes / 60) * (ORGANIZATION.accounts / run.accounts)).toFixed(1)),
      ]),
    ),
  );
}

function machine() {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
  };
}

async function main() {
  const result = await runSweepBench(loadPolicyFile('warden.policy.yaml'));
  const time = new Date().toISOString();
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${time.replace(/[:.]/g, '-')}-sweep.json`);
  writeFileSync(file, `${JSON.stringify({ time, machine: machine(), sweep: result }, null, 2)}\n`);
  printSweepBench(result);
  console.log(`\nResults: ${file}`);
  if (result.violations.length > 0) {
    console.error(`\nSweep not achieved:\n${result.violations.map((v) => `  - ${v}`).join('\n')}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
