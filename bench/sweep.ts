/**
 * The sweep part of `npm run bench` against moto (issue 10, "Speed and scale"): the engine `warden sweep`
 * runs (buildSweepEngine over s3-guard's real wiring, runSweep in-process), on a dedicated emulator per
 * size with exactly that many buckets, mostly compliant and one in ten SSE-S3 for the sweep to repair.
 * Bucket creation is not timed. Every attempt of every AWS call is recorded through `wrapClient` and
 * attributed to the bucket its input names, so the calls of a compliant bucket are counted exactly.
 *
 * moto's ListBuckets returns no continuation token with MaxBuckets (AWS-FACTS.md): with the production
 * page of 1,000 the listing of a larger account stops there, with a warning. The listing is checked at
 * that page size and reported; the timed sweeps raise the page (`bucketsPerPage`) above the bucket count,
 * so each lists its whole account in one page, and the report says so.
 */
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClient, AwsService } from '#shared/aws/clients.ts';
import { s3ClientConfig } from '#shared/aws/clients.ts';
import { ALL_BLOCKED } from '#shared/model/bucket.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { BUCKETS_PER_PAGE, listBucketPage } from '#shared/s3/list-buckets.ts';
import { mapWithConcurrency } from '#shared/sweep/concurrency.ts';
import { runSweep } from '#shared/sweep/run.ts';
import { totalsOf } from '#shared/sweep/tally.ts';
import { LOCAL_REGION, localCredentials } from '../cli/local/credentials.ts';
import { localGuardConfig } from '../cli/local/guard-config.ts';
import type { LocalConfig } from '../cli/local/local-config.ts';
import { findFreePort, startMoto } from '../cli/local/moto.ts';
import { provisionLocal } from '../cli/local/provision.ts';
import { buildSweepEngine } from '../functions/sweep-worker/wiring.ts';
import { roundTrips } from '../test/support/fault-injection.ts';

/** Sizes of the account swept, each on its own emulator. */
export const SWEEP_SIZES = [100, 1_000, 5_000] as const;
/** One bucket in REPAIR_EVERY is SSE-S3, for the sweep to repair to SSE-KMS. */
const REPAIR_EVERY = 10;
const SETUP_CONCURRENCY = 16;

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Fixed-width names, so no bucket's name is part of another's and each call is attributed to one. */
const bucketName = (index: number) =>
  `swb-${index % REPAIR_EVERY === 0 ? 'fix' : 'ok'}-${String(index).padStart(5, '0')}`;
const BUCKET_IN_INPUT = /swb-(fix|ok)-\d{5}/;

/** What a compliant bucket is under the repository's policy: SSE-KMS with Warden's key, BPA on, TLS only. */
const tlsOnlyPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

async function createBuckets(config: LocalConfig, count: number): Promise<void> {
  const s3 = new S3Client(
    s3ClientConfig({ endpoint: config.endpoint, region: config.region, credentials: localCredentials() }),
  );
  const indexes = Array.from({ length: count }, (_, index) => index);
  await mapWithConcurrency(indexes, SETUP_CONCURRENCY, async (index) => {
    const Bucket = bucketName(index);
    const byDefault =
      index % REPAIR_EVERY === 0
        ? { SSEAlgorithm: 'AES256' as const }
        : { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: config.kmsKeyArn };
    await s3.send(new CreateBucketCommand({ Bucket }));
    await Promise.all([
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: true }],
          },
        }),
      ),
      s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: ALL_BLOCKED })),
      s3.send(new PutBucketPolicyCommand({ Bucket, Policy: tlsOnlyPolicy(Bucket) })),
    ]);
  });
}

/** Every attempt, by `service:Command`: naming a compliant bucket, a repaired one, local mode's, or none. */
interface CallCounts {
  readonly perSweep: Map<string, number>;
  readonly compliant: Map<string, number>;
  readonly repaired: Map<string, number>;
  readonly otherBuckets: Map<string, number>;
  /** Each compliant bucket's calls, timed: its sequential round trips. */
  readonly compliantTimes: Map<string, { start: number; end: number }[]>;
}

/** `others`: buckets that are not the bench's (local mode's own), whose calls are counted apart. */
function callRecorder(others: readonly string[]) {
  const counts: CallCounts = {
    perSweep: new Map(),
    otherBuckets: new Map(),
    compliant: new Map(),
    repaired: new Map(),
    compliantTimes: new Map(),
  };
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const wrapClient = <Client extends AwsClient>(client: Client, service: AwsService): Client => {
    (client as unknown as InstrumentedClient).middlewareStack.add(
      (next, context) => async (args) => {
        const key = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
        const input = JSON.stringify(args.input ?? {});
        const match = BUCKET_IN_INPUT.exec(input);
        const other = !match && others.some((bucket) => input.includes(bucket));
        add(
          match?.[1] === 'ok'
            ? counts.compliant
            : match
              ? counts.repaired
              : other
                ? counts.otherBuckets
                : counts.perSweep,
          key,
        );
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          if (match?.[1] === 'ok') {
            const times = counts.compliantTimes.get(match[0]) ?? [];
            times.push({ start, end: performance.now() });
            counts.compliantTimes.set(match[0], times);
          }
        }
      },
      // Inside the retry loop, as the fault layer: every attempt is counted.
      { step: 'deserialize', name: 'benchSweepCalls', priority: 'high' },
    );
    return client;
  };
  return { counts, wrapClient };
}

interface InstrumentedClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input?: unknown }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input?: unknown }) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** One timed sweep of the emulator's account and what it cost. */
export interface SweepRun {
  readonly seconds: number;
  readonly bucketsPerSecond: number;
  readonly totals: ReturnType<typeof totalsOf>;
  /** Calls per compliant / repaired bucket (by service:command) and per sweep (listing, account, key). */
  readonly callsPerCompliantBucket: Record<string, number>;
  readonly callsPerRepairedBucket: Record<string, number>;
  readonly callsPerSweep: Record<string, number>;
  /** Sequential round trips of a compliant bucket (waves of overlapping calls): median and most. */
  readonly compliantRoundTrips: { readonly median: number; readonly max: number };
}

export interface SweepSizeResult {
  readonly buckets: number;
  /** Buckets local mode made (swept too, counted in the throughput). */
  readonly provisioned: number;
  readonly toRepair: number;
  /** The page the timed sweeps listed with (raised above the bucket count on the emulator). */
  readonly bucketsPerPage: number;
  /** The production page size against the same emulator: how many it listed, and its warning. */
  readonly productionListing: { readonly listed: number; readonly warning?: string };
  readonly setupSeconds: number;
  /** The first sweep of these buckets (repairs, and each bucket's policy baseline recorded). */
  readonly first: SweepRun;
  /** A second sweep right after (the daily steady state), when measured. */
  readonly again?: SweepRun;
  readonly unmet: readonly string[];
}

const perBucket = (map: Map<string, number>, buckets: number) =>
  Object.fromEntries([...map.entries()].sort().map(([key, count]) => [key, round(count / buckets, 2)]));

/**
 * One size: a fresh emulator, the buckets made (not timed), one sweep timed with every call counted (and,
 * with `again`, a second sweep right after).
 */
export async function sweepOnMoto(
  size: number,
  policy: Policy,
  options: { readonly again?: boolean } = {},
): Promise<SweepSizeResult> {
  const moto = await startMoto({ port: await findFreePort() });
  try {
    const config = await provisionLocal({ endpoint: moto.endpoint, region: LOCAL_REGION, prefix: 'bench' });
    const s3 = new S3Client(
      s3ClientConfig({ endpoint: config.endpoint, region: config.region, credentials: localCredentials() }),
    );
    // Local mode's own buckets (the trail's): swept too, judged apart from the bench's.
    const localBuckets = (await listBucketPage(s3, config.region, undefined, 10_000)).buckets;
    const provisioned = localBuckets.length;
    const setupStarted = performance.now();
    await createBuckets(config, size);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const production = await listBucketPage(s3, config.region);
    const swept = size + provisioned;
    const bucketsPerPage = Math.max(BUCKETS_PER_PAGE, swept + 1);
    const toRepair = Math.ceil(size / REPAIR_EVERY);
    const sweep = (sweepId: string) =>
      timedSweep(config, policy, {
        sweepId,
        swept,
        compliant: size - toRepair,
        toRepair,
        bucketsPerPage,
        others: localBuckets,
      });

    const first = await sweep(`bench-${size}-first`);
    const again = options.again ? await sweep(`bench-${size}-again`) : undefined;
    const ours = (run: typeof first, prefix: string) =>
      run.tally.findings.filter((finding) => finding.outcome.resource.startsWith(prefix));
    const repairs = ours(first, 'swb-fix-').filter(
      (finding) =>
        finding.outcome.controlId === 's3-encryption-kms' && finding.outcome.status === 'REMEDIATED',
    ).length;
    const judged = (run: typeof first) => run.run.totals.resources;
    const unmet = [
      ...[first, ...(again ? [again] : [])]
        .filter((run) => judged(run) !== swept + 2)
        .map(
          (run) =>
            `judged ${judged(run)} resources, not ${swept} buckets, the account settings and root keys`,
        ),
      ...(repairs !== toRepair
        ? [`repaired the encryption of ${repairs} SSE-S3 buckets, not ${toRepair}`]
        : []),
      ...(ours(first, 'swb-ok-').length > 0
        ? [`${ours(first, 'swb-ok-').length} findings on compliant buckets`]
        : []),
      ...(again && ours(again, 'swb-').length > 0
        ? [`the second sweep found ${ours(again, 'swb-').length} things to repair or report`]
        : []),
      ...[first, ...(again ? [again] : [])].flatMap((run) => [
        ...(run.run.totals.errors > 0
          ? [`${run.run.totals.errors} errors: ${run.tally.errors[0]?.reason}`]
          : []),
        ...(run.run.totals.failed > 0 ? [`${run.run.totals.failed} FAILED outcomes`] : []),
      ]),
    ];
    return {
      buckets: size,
      provisioned,
      toRepair,
      bucketsPerPage,
      productionListing: {
        listed: production.buckets.length,
        ...(production.warning ? { warning: production.warning } : {}),
      },
      setupSeconds: round(setupSeconds, 1),
      first: first.run,
      ...(again ? { again: again.run } : {}),
      unmet,
    };
  } finally {
    await moto.stop();
  }
}

/** What `warden sweep` does for one run (a new engine, so the key cache starts empty), timed and counted. */
async function timedSweep(
  config: LocalConfig,
  policy: Policy,
  run: {
    sweepId: string;
    swept: number;
    compliant: number;
    toRepair: number;
    bucketsPerPage: number;
    others: readonly string[];
  },
) {
  const recorder = callRecorder(run.others);
  const { engine, history, enforced } = buildSweepEngine(localGuardConfig(config, policy), {
    aws: { endpoint: config.endpoint, credentials: localCredentials() },
    wrapClient: recorder.wrapClient,
    log: quiet,
    metrics: { count: () => {} },
    bucketConcurrency: policy.sweep.bucketsInParallel,
    bucketsPerPage: run.bucketsPerPage,
  });
  const started = performance.now();
  const tally = await runSweep(
    engine,
    {
      sweepId: run.sweepId,
      startedAt: new Date().toISOString(),
      accounts: [{ accountId: config.accountId, regions: [config.region] }],
    },
    { accountConcurrency: policy.sweep.accountsInParallel, history, enforced, now: () => new Date() },
  );
  const seconds = (performance.now() - started) / 1000;
  const trips = [...recorder.counts.compliantTimes.values()].map(roundTrips).sort((a, b) => a - b);
  const result: SweepRun = {
    seconds: round(seconds, 2),
    bucketsPerSecond: round(run.swept / seconds),
    totals: totalsOf(tally),
    callsPerCompliantBucket: perBucket(recorder.counts.compliant, run.compliant),
    callsPerRepairedBucket: perBucket(recorder.counts.repaired, run.toRepair),
    callsPerSweep: Object.fromEntries([...recorder.counts.perSweep.entries()].sort()),
    compliantRoundTrips: { median: trips[Math.floor(trips.length / 2)] ?? 0, max: trips.at(-1) ?? 0 },
  };
  return { run: result, tally };
}

/** Calls per bucket summed by service (s3, dynamodb, kms...). */
export function byService(calls: Record<string, number>): Record<string, number> {
  const services: Record<string, number> = {};
  for (const [key, count] of Object.entries(calls)) {
    const service = key.split(':')[0] ?? key;
    services[service] = round((services[service] ?? 0) + count, 2);
  }
  return services;
}
