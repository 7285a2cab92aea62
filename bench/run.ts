/**
 * `npm run bench`: bundle sizes and cold import times, remediation latency / AWS calls / sequential
 * round trips per scenario against moto, and s3-guard throughput. Writes bench/results/<timestamp>.json,
 * prints a table, and exits non-zero when a budget is exceeded or a scenario did not remediate (its
 * event not PROCESSED, or an expected control not REMEDIATED, in any run). Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FUNCTION_NAMES, type FunctionName } from '#shared/config/names.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { resetBucket } from '../cli/local/bucket-setup.ts';
import { makeLocalClients } from '../cli/local/clients.ts';
import { LOCAL_REGION } from '../cli/local/credentials.ts';
import { functionEnvironment } from '../cli/local/function-env.ts';
import { invokeLocal } from '../cli/local/invoke.ts';
import type { LocalConfig } from '../cli/local/local-config.ts';
import { findFreePort, startMoto } from '../cli/local/moto.ts';
import { PROJECT_ROOT } from '../cli/local/paths.ts';
import { provisionLocal } from '../cli/local/provision.ts';
import { loadSampleEvent, retargetEvent } from '../cli/local/sample-events.ts';
import { bundlePath } from '../infra/config/bundles.ts';
import { FaultLayer, instrumentedS3Guard, roundTrips } from '../test/support/fault-injection.ts';
import { type Clients, SCENARIOS, type Scenario, STORM_ALIGNMENTS, unmetOutcomes } from './scenarios.ts';
import { runStorm, STORM_BOUNDS, type StormResult } from './storm.ts';
import { printSweepBench, runSweepBench } from './sweep-bench.ts';
import { table } from './table.ts';

const BUDGET = { bundleMinifiedBytes: 500 * 1024, remediationRoundTrips: 4 } as const;
const IMPORT_RUNS = 7;
const SCENARIO_RUNS = 5;
const THROUGHPUT_EVENTS = 32;
const STORM = { alerts: 500, overMs: 60_000 } as const;
const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

// ---- Bundles ------------------------------------------------------------------------------

interface BundleResult {
  readonly function: FunctionName;
  /** What a cold start loads: the entry and the chunks it imports statically (the budget applies here). */
  readonly minifiedBytes: number;
  readonly gzippedBytes: number;
  readonly entryBytes: number;
  /** Every other file of the function's folder, and whether a cold start loads it or an event may, on demand. */
  readonly chunks: readonly {
    readonly file: string;
    readonly for?: string;
    readonly bytes: number;
    readonly loaded: 'cold start' | 'on demand';
  }[];
  readonly coldImportMs: { readonly median: number; readonly runs: readonly number[] };
  /** Largest inputs by bytes in what a cold start loads (esbuild metafile). */
  readonly largestInputs: readonly { readonly path: string; readonly bytes: number }[];
}

const IMPORT_SCRIPT =
  'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));';

interface Metafile {
  readonly outputs: Record<
    string,
    {
      readonly bytes: number;
      readonly entryPoint?: string;
      readonly imports: readonly { readonly path: string; readonly kind: string }[];
      readonly inputs: Record<string, { readonly bytesInOutput: number }>;
    }
  >;
}

/** The entry and the chunks it imports statically, transitively: the files a cold start reads. */
function coldStartFiles(meta: Metafile, entry: string): Set<string> {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file) || !meta.outputs[file]) return;
    files.add(file);
    for (const imported of meta.outputs[file].imports)
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  return files;
}

function measureBundle(name: FunctionName, config: LocalConfig): BundleResult {
  const file = bundlePath(name);
  const env = {
    PATH: process.env.PATH ?? '',
    ...functionEnvironment(config, loadPolicyFile('warden.policy.yaml'), name),
    ...QUIET,
  };
  const runs: number[] = [];
  for (let run = 0; run < IMPORT_RUNS; run++) {
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`Importing ${file} failed: ${child.stderr}`);
    runs.push(round(Number(child.stdout), 1));
  }
  // `npm run bench` builds first, so the metafile is there; it knows which chunks the entry imports.
  const meta = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'dist', 'meta', `${name}.json`), 'utf8'),
  ) as Metafile;
  const entry = relative(PROJECT_ROOT, file);
  const cold = coldStartFiles(meta, entry);
  const byPackage = new Map<string, number>();
  for (const output of cold) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[output]?.inputs ?? {})) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match?.[1] ?? input.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  const largestInputs = [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([path, bytes]) => ({ path, bytes }));
  const chunks = Object.keys(meta.outputs)
    .filter((output) => output !== entry)
    .map((output) => ({
      file: basename(output),
      // What the chunk was split off for (a dynamic import), e.g. shared/aws/on-demand/s3-control.ts.
      ...(meta.outputs[output]?.entryPoint
        ? { for: meta.outputs[output].entryPoint.replace(/^.*node_modules\//, '') }
        : {}),
      bytes: statSync(join(PROJECT_ROOT, output)).size,
      loaded: cold.has(output) ? ('cold start' as const) : ('on demand' as const),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const coldSources = [...cold].map((output) => readFileSync(join(PROJECT_ROOT, output)));
  return {
    function: name,
    minifiedBytes: coldSources.reduce((sum, source) => sum + source.length, 0),
    gzippedBytes: gzipSync(Buffer.concat(coldSources)).length,
    entryBytes: statSync(file).size,
    chunks,
    coldImportMs: { median: round(median(runs)), runs },
    largestInputs,
  };
}

// ---- Remediation scenarios ----------------------------------------------------------------

interface ScenarioResult {
  readonly scenario: string;
  readonly statuses: readonly string[];
  readonly wallMs: { readonly median: number; readonly runs: readonly number[] };
  readonly awsCalls: number;
  readonly awsCallsByService: Record<string, number>;
  /** Waves of S3, S3 Control, KMS and SNS calls: read state, write fixes, verify, alert. */
  readonly remediationRoundTrips: number;
  /** The same, counting Warden's own DynamoDB book-keeping (idempotency, audit, baselines) too. */
  readonly allRoundTrips: number;
  readonly calls: readonly string[];
  /** Runs whose event was not PROCESSED or left an expected control unremediated, and why. */
  readonly unmet: readonly string[];
}

let bucketCounter = 0;
const benchBucket = () => `bench-${process.pid}-${Date.now().toString(36)}-${bucketCounter++}`;

async function runScenario(
  scenario: Scenario,
  config: LocalConfig,
  clients: Clients,
): Promise<ScenarioResult> {
  const policy = loadPolicyFile('warden.policy.yaml');
  const walls: number[] = [];
  const unmet: string[] = [];
  let last: Omit<ScenarioResult, 'scenario' | 'wallMs' | 'unmet'> | undefined;
  for (let run = 0; run < SCENARIO_RUNS; run++) {
    const bucket = benchBucket();
    await scenario.prepare(clients, config, bucket);
    const event = retargetEvent(loadSampleEvent(scenario.sample), { bucket, accountId: config.accountId });
    const call = normaliseApiCall(CloudTrailEventSchema.parse(event));
    const layer = new FaultLayer();
    const { guard } = instrumentedS3Guard({ config, policy, layer });
    const started = performance.now();
    const result = await guard(call);
    const wall = performance.now() - started;
    walls.push(round(wall));
    unmet.push(...unmetOutcomes(scenario, result).map((reason) => `run ${run + 1}: ${reason}`));
    const calls = [...layer.calls].sort((a, b) => a.start - b.start);
    const byService: Record<string, number> = {};
    for (const c of calls) byService[c.service] = (byService[c.service] ?? 0) + 1;
    last = {
      statuses: result.outcomes.map((outcome) => `${outcome.controlId}:${outcome.status}`),
      awsCalls: calls.length,
      awsCallsByService: byService,
      remediationRoundTrips: roundTrips(calls.filter((c) => c.service !== 'dynamodb')),
      allRoundTrips: roundTrips(calls),
      calls: calls.map((c) => `${c.service}:${c.command.replace(/Command$/, '')}`),
    };
  }
  if (!last) throw new Error('no runs');
  return {
    scenario: scenario.name,
    wallMs: { median: round(median(walls)), runs: walls },
    ...last,
    unmet,
  };
}

// ---- Throughput ---------------------------------------------------------------------------

interface ThroughputResult {
  readonly concurrency: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

async function throughput(
  concurrency: number,
  config: LocalConfig,
  clients: Clients,
): Promise<ThroughputResult> {
  const policy = loadPolicyFile('warden.policy.yaml');
  const events = [];
  for (let index = 0; index < THROUGHPUT_EVENTS; index++) {
    const bucket = benchBucket();
    await resetBucket(clients.s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });
    events.push(
      retargetEvent(loadSampleEvent('s3/put-bucket-encryption-sse-s3.json'), {
        bucket,
        accountId: config.accountId,
      }),
    );
  }
  // Warm: the bundle is loaded once per container, as in Lambda; cold start is measured above.
  await invokeLocal('s3-guard', events[0], config, policy, { env: QUIET });
  const queue = events.slice(1);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        const result = await invokeLocal('s3-guard', event, config, policy, { env: QUIET });
        if (result.status !== 'PROCESSED')
          throw new Error(`s3-guard answered ${result.status}: ${result.reason}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const count = events.length - 1;
  return { concurrency, events: count, seconds: round(seconds, 2), eventsPerSecond: round(count / seconds) };
}

// ---- Report -------------------------------------------------------------------------------

async function main() {
  const moto = await startMoto({ port: await findFreePort() });
  try {
    const config = await provisionLocal({ endpoint: moto.endpoint, region: LOCAL_REGION, prefix: 'bench' });
    const clients = makeLocalClients(config);

    const bundles = FUNCTION_NAMES.map((name) => measureBundle(name, config));
    const scenarios: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) scenarios.push(await runScenario(scenario, config, clients));
    const throughputs = [await throughput(1, config, clients), await throughput(8, config, clients)];
    const storms: StormResult[] = [];
    for (const alignment of STORM_ALIGNMENTS) {
      storms.push(
        await runStorm(alignment, {
          config,
          policy: loadPolicyFile('warden.policy.yaml'),
          clients,
          ...STORM,
          quietEnv: QUIET,
        }),
      );
    }
    // The sweep part starts its own emulators (one per size) and simulates the Organization's fan-out.
    const sweep = await runSweepBench(loadPolicyFile('warden.policy.yaml'));

    const violations = [
      ...bundles
        .filter((b) => b.minifiedBytes > BUDGET.bundleMinifiedBytes)
        .map(
          (b) => `bundle ${b.function}: ${kb(b.minifiedBytes)} minified > ${kb(BUDGET.bundleMinifiedBytes)}`,
        ),
      // A run that repaired nothing makes few round trips: its measurement must not pass the budget.
      ...scenarios.flatMap((s) =>
        s.unmet.map((reason) => `remediation "${s.scenario}" did not remediate: ${reason}`),
      ),
      ...scenarios
        .filter((s) => s.remediationRoundTrips > BUDGET.remediationRoundTrips)
        .map(
          (s) =>
            `remediation "${s.scenario}": ${s.remediationRoundTrips} sequential AWS round trips > ${BUDGET.remediationRoundTrips}`,
        ),
      ...storms.flatMap((s) => s.unmet.map((reason) => `storm "${s.alignment}": ${reason}`)),
      ...sweep.violations,
    ];

    const machine = {
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      platform: `${process.platform}-${process.arch}`,
    };
    const report = {
      time: new Date().toISOString(),
      machine,
      budget: BUDGET,
      bundles,
      scenarios,
      throughput: throughputs,
      storms: { bounds: STORM_BOUNDS, runs: storms },
      sweep,
      violations,
    };
    const dir = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${report.time.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

    console.log(
      `\nBundles (budget ${kb(BUDGET.bundleMinifiedBytes)} minified, for what a cold start loads: the entry and its static chunks; cold import = median of ${IMPORT_RUNS} fresh node processes)`,
    );
    console.log(
      table(
        ['function', 'cold start', 'gzipped', 'entry', 'chunks loaded on demand', 'cold import'],
        bundles.map((b) => [
          b.function,
          kb(b.minifiedBytes),
          kb(b.gzippedBytes),
          kb(b.entryBytes),
          b.chunks
            .filter((chunk) => chunk.loaded === 'on demand')
            .map((chunk) => `${kb(chunk.bytes)} (${chunk.for ?? chunk.file})`)
            .join(', ') || '-',
          `${b.coldImportMs.median} ms`,
        ]),
      ),
    );
    console.log(
      `\nRemediations against moto (median of ${SCENARIO_RUNS}; budget ${BUDGET.remediationRoundTrips} sequential round trips to S3/KMS/SNS)`,
    );
    console.log(
      table(
        ['scenario', 'wall (invoke → verified)', 'AWS calls', 'round trips', 'incl. DynamoDB', 'outcomes'],
        scenarios.map((s) => [
          s.scenario,
          `${s.wallMs.median} ms`,
          s.awsCalls,
          s.remediationRoundTrips,
          s.allRoundTrips,
          s.statuses.join(', '),
        ]),
      ),
    );
    console.log('\nThroughput: s3-guard bundle, SSE-S3 → SSE-KMS events, warm');
    console.log(
      table(
        ['concurrency', 'events', 'seconds', 'events/s'],
        throughputs.map((t) => [t.concurrency, t.events, t.seconds, t.eventsPerSecond]),
      ),
    );
    console.log(
      `\nStorm: ${STORM.alerts} alerts over ${STORM.overMs / 1_000} s through notify-slack (real wiring, moto), SQS-like batches, 2 consumers, webhook 429 above 1 message/s (bounds: ≤ ${STORM_BOUNDS.messages} messages, 0 lost, all reachable, ≤ ${STORM_BOUNDS.latestDelayMs / 1_000} s)`,
    );
    console.log(
      table(
        [
          'alignment',
          'batches',
          'messages',
          '429s',
          'latest delay',
          'named',
          'reachable',
          'lost',
          'redelivered',
        ],
        storms.map((s) => [
          `${s.alignment} (${s.clockAtStart})`,
          s.batchSizes.join('+'),
          s.slackMessages,
          s.rateLimited429s,
          `${s.latestDelaySeconds} s`,
          `${s.resourcesNamed}/${s.alerts}`,
          `${s.resourcesReachable}/${s.alerts}`,
          s.lost,
          s.redelivered,
        ]),
      ),
    );
    printSweepBench(sweep);
    console.log(
      `\nMachine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}. Results: ${file}`,
    );
    if (violations.length > 0) {
      console.error(
        `\nBudget exceeded or remediation not achieved:\n${violations.map((v) => `  - ${v}`).join('\n')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await moto.stop();
  }
}

await main();
