import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import { WardenError } from '#shared/errors/errors.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { guardHandler } from '#shared/guard/handler.ts';
import type { LambdaOnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { Log, MetricsRecorder, WardenMetric } from '#shared/observability/observability.ts';
import { kmsKeyReader } from '#shared/s3/kms-key.ts';
import { createRootGuard } from '../../../functions/root-guard/root-guard.ts';
import { createS3Guard } from '../../../functions/s3-guard/s3-guard.ts';
import { loadEvent, makePolicy, WARDEN_KEY_ARN, WARDEN_SESSION_ARN } from '../../fixtures.ts';

/*
 * Property-based: malformed and mutated CloudTrail events (fields dropped, duplicated, retyped,
 * wrapped in one-element arrays, nulled, huge strings, unknown event names, prototype-pollution
 * keys) run through the real handler chain (middy, Powertools parser, normalise) and the real
 * guards over mocked AWS clients. Bounded runs: 200 per property, FC_NUM_RUNS=<n> for a long run
 * (e.g. 10000 before a release). On failure fast-check prints the seed and path (rerun with FC_SEED=<seed>).
 */
function positiveIntegerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not "${text}"`);
  return value;
}

const NUM_RUNS = positiveIntegerFromEnv('FC_NUM_RUNS', 200);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const runOptions = { numRuns: NUM_RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
/** A property's time budget grows with its runs (a run takes a few ms; the margin is for a busy machine). */
const PROPERTY_TIMEOUT_MS = 10_000 + NUM_RUNS * 30;

const SAMPLES = [
  's3/create-bucket.json',
  's3/create-bucket-legacy.json',
  's3/delete-bucket-encryption.json',
  's3/put-bucket-encryption-sse-s3-legacy.json',
  's3/put-bucket-policy-public.json',
  's3/put-bucket-policy-public-legacy.json',
  's3/put-bucket-acl-grants.json',
  's3/put-bucket-acl-grant-header-legacy.json',
  's3/delete-account-public-access-block.json',
  's3/put-bucket-public-access-block-partial-legacy.json',
  's3/put-bucket-encryption-by-warden.json',
  'iam/root-create-access-key.json',
  'iam/root-create-access-key-for-iam-user.json',
  'signin/root-console-login-no-mfa.json',
  'signin/root-console-login-signin-spelling.json',
  'invalid/missing-event-id.json',
  'invalid/no-bucket-name.json',
];

const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
const kms = mockClient(KMSClient);
const iam = mockClient(IAMClient);
const AWS_MOCKS = [s3, s3Control, kms, iam];

/** Every AWS command sent (any client), by name. */
const sentCommands = () =>
  AWS_MOCKS.flatMap((mock) => mock.calls().map((call) => call.args[0].constructor.name));
const isWrite = (command: string) => !/^(Get|List|Describe|Head)/.test(command);

/**
 * Stubbed once per test, not per run: each `on()` adds a sinon fake that `reset()` never removes,
 * so stubbing on every run grows memory and slows every call, run after run.
 */
function stubAws() {
  for (const mock of AWS_MOCKS) mock.reset();
  // A bucket and account that need every fix, so any accepted event has work to do.
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: {} });
  s3.on(GetBucketPolicyCommand).resolves({
    Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    }),
  });
  s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [] });
  s3.on(GetBucketOwnershipControlsCommand).resolves({
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  });
  s3Control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: {} });
  kms
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', Enabled: true } });
  iam.onAnyCommand().resolves({ AccessKeyMetadata: [] });
}

interface Spies {
  readonly metrics: { name: WardenMetric }[];
  readonly errors: { message: string; fields: unknown }[];
  readonly alerts: number;
}

function buildHandlers() {
  const spies = {
    metrics: [] as { name: WardenMetric }[],
    errors: [] as { message: string; fields: unknown }[],
    alerts: 0,
  };
  const recorder: MetricsRecorder = { count: (name) => void spies.metrics.push({ name }) };
  const noop = () => undefined;
  const log = {
    debug: noop,
    info: noop,
    warn: noop,
    error: (message: string, fields?: unknown) => void spies.errors.push({ message, fields }),
  } as unknown as Log;
  const once = Object.assign(((_step, fn) => fn) as LambdaOnceWrapper, { registerLambdaContext: noop });
  const common = {
    alerts: {
      publish: async () => {
        spies.alerts += 1;
        return 'message-id';
      },
    },
    audit: { record: async () => undefined },
    log,
    metrics: recorder,
    clock: { now: () => new Date('2026-11-20T10:15:30Z') },
    once,
  };
  const runtime = (service: string) => ({
    logger: new Logger({ serviceName: service, logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'WardenFuzz', serviceName: service }),
    deps: { log, metrics: recorder, once },
  });
  const s3Guard = guardHandler(
    runtime('s3-guard'),
    createS3Guard({
      ...common,
      config: { kmsKeyArn: WARDEN_KEY_ARN, ownSessionArns: [WARDEN_SESSION_ARN], policy: makePolicy() },
      s3: new S3Client({ region: 'us-east-1' }),
      s3Control: new S3ControlClient({ region: 'us-east-1' }),
      kmsKeys: kmsKeyReader(new KMSClient({ region: 'us-east-1' }), WARDEN_KEY_ARN),
      baselines: {
        readPolicy: async () => undefined,
        writePolicy: async () => undefined,
        endPolicy: async () => undefined,
      },
      journal: { read: async () => undefined, write: async () => undefined },
      pause: async () => undefined,
    }),
  );
  const rootGuard = guardHandler(
    runtime('root-guard'),
    createRootGuard({
      ...common,
      config: {
        policy: makePolicy({ deployment: { mode: 'organization', managementAccountId: '111122223333' } }),
      },
      assumeRootCredentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'secret' }),
      rootIam: () => new IAMClient({ region: 'us-east-1' }),
    }),
  );
  /** Before each run: no spied call, metric, log line or AWS command of the previous run. */
  const startRun = () => {
    spies.metrics.length = 0;
    spies.errors.length = 0;
    spies.alerts = 0;
    for (const mock of AWS_MOCKS) mock.resetHistory();
  };
  return { s3Guard, rootGuard, spies: spies as Spies & typeof spies, startRun };
}

const context = {
  functionName: 'fuzz',
  awsRequestId: 'fuzz-request',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

// ---- Mutations ----------------------------------------------------------------------------

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
}

const HUGE = 'x'.repeat(300_000);
const pollution = () =>
  JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');

type Mutation =
  | { readonly op: 'drop' | 'null' | 'wrap' | 'duplicate' | 'pollute'; readonly at: number }
  | { readonly op: 'retype'; readonly at: number; readonly value: unknown }
  | { readonly op: 'huge'; readonly at: number }
  | { readonly op: 'eventName'; readonly value: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('drop', 'null', 'wrap', 'duplicate', 'pollute', 'huge'),
    at: fc.nat(),
  }) as fc.Arbitrary<Mutation>,
  fc.record({
    op: fc.constant('retype' as const),
    at: fc.nat(),
    value: fc.oneof(fc.anything(), fc.constantFrom(0, -1, true, '', [], {}, [''], ['a', 'b'], 1e308)),
  }),
  fc.record({
    op: fc.constant('eventName' as const),
    value: fc.oneof(
      fc.string(),
      fc.constantFrom(
        'PutPublicAccessBlock',
        'DeleteBucket',
        'ConsoleLogin',
        'CreateAccessKey',
        '__proto__',
        'constructor',
      ),
    ),
  }),
);

function applyMutation(event: Record<string, unknown>, mutation: Mutation): void {
  if (mutation.op === 'eventName') {
    const detail = event.detail;
    if (detail && typeof detail === 'object') (detail as Record<string, unknown>).eventName = mutation.value;
    return;
  }
  const paths = pathsOf(event);
  const path = paths[mutation.at % paths.length];
  if (!path) return;
  let parent = event as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const current = parent[key];
  switch (mutation.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'null':
      parent[key] = null;
      break;
    case 'wrap':
      parent[key] = [current];
      break;
    case 'duplicate':
      // The same field under another spelling (Host/host) or a second copy in a list.
      if (Array.isArray(parent)) parent.push(structuredClone(current));
      else parent[typeof key === 'string' ? key.toUpperCase() : key] = structuredClone(current);
      break;
    case 'pollute':
      parent[key] =
        typeof current === 'object' && current !== null ? Object.assign(pollution(), current) : pollution();
      break;
    case 'retype':
      // A copy: fast-check keeps and replays the generated value, and later mutations change the event in place.
      parent[key] = structuredClone(mutation.value);
      break;
    case 'huge':
      parent[key] = HUGE;
      break;
  }
}

const eventArb = fc
  .tuple(fc.constantFrom(...SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([sample, mutations]) => {
    const event = loadEvent(sample);
    for (const mutation of mutations) applyMutation(event, mutation);
    return { sample, mutations, event };
  });

// ---- Properties ---------------------------------------------------------------------------

const STATUSES = new Set(['PROCESSED', 'IGNORED', 'REJECTED']);

async function run(handler: ReturnType<typeof buildHandlers>['s3Guard'], event: unknown) {
  try {
    return { result: (await handler(event, context)) as GuardResult };
  } catch (error) {
    return { error };
  }
}

describe('fuzzed CloudTrail events through the guard handler chain', () => {
  beforeAll(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  beforeEach(() => {
    stubAws();
  });

  it.each([
    ['s3Guard', 's3/create-bucket.json'],
    ['rootGuard', 'iam/root-create-access-key.json'],
  ] as const)(
    '%s: the unmutated sample %s is processed through to AWS (the harness works)',
    async (name, sample) => {
      const handlers = buildHandlers();

      const outcome = await run(handlers[name], loadEvent(sample));

      expect(outcome).toMatchObject({ result: { status: 'PROCESSED' } });
      expect(sentCommands().length).toBeGreaterThan(0);
    },
  );

  it.each(['s3Guard', 'rootGuard'] as const)(
    '%s: answers PROCESSED, IGNORED or REJECTED, or throws a classified WardenError, for any mutation',
    async (name) => {
      // One handler chain per property, as a warm container serves many events: SDK clients built
      // on every run each keep a few KB that 10,000 runs turn into an out-of-memory crash.
      const handlers = buildHandlers();
      await fc.assert(
        fc.asyncProperty(eventArb, async ({ event }) => {
          handlers.startRun();
          const outcome = await run(handlers[name], event);
          if ('error' in outcome) {
            expect(outcome.error).toBeInstanceOf(WardenError);
          } else {
            expect(STATUSES.has(outcome.result.status)).toBe(true);
          }
        }),
        runOptions,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.each(['s3Guard', 'rootGuard'] as const)(
    '%s: an event the schema refuses sends no AWS command at all, is counted once and logged once',
    async (name) => {
      // One handler chain per property, as a warm container serves many events: SDK clients built
      // on every run each keep a few KB that 10,000 runs turn into an out-of-memory crash.
      const handlers = buildHandlers();
      await fc.assert(
        fc.asyncProperty(
          eventArb.filter(({ event }) => !CloudTrailEventSchema.safeParse(event).success),
          async ({ event }) => {
            handlers.startRun();
            const outcome = await run(handlers[name], event);

            expect(outcome).toMatchObject({ result: { status: 'REJECTED' } });
            expect(sentCommands()).toEqual([]);
            expect(handlers.spies.alerts).toBe(0);
            expect(handlers.spies.metrics.filter((m) => m.name === 'EventsRejected')).toHaveLength(1);
            expect(handlers.spies.errors.filter((e) => e.message === 'Event rejected')).toHaveLength(1);
          },
        ),
        runOptions,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    's3Guard: every REJECTED result is counted and logged, and no write follows a rejection',
    async () => {
      // One handler chain per property, as a warm container serves many events: SDK clients built
      // on every run each keep a few KB that 10,000 runs turn into an out-of-memory crash.
      const handlers = buildHandlers();
      await fc.assert(
        fc.asyncProperty(eventArb, async ({ event }) => {
          handlers.startRun();
          const outcome = await run(handlers.s3Guard, event);
          if (!('result' in outcome) || outcome.result?.status !== 'REJECTED') return;

          expect(sentCommands().filter(isWrite)).toEqual([]);
          expect(handlers.spies.metrics.map((m) => m.name)).toContain('EventsRejected');
          expect(handlers.spies.errors.map((e) => e.message)).toContain('Event rejected');
        }),
        runOptions,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    's3Guard: an event whose eventName no control handles never reaches AWS',
    async () => {
      // One handler chain per property, as a warm container serves many events: SDK clients built
      // on every run each keep a few KB that 10,000 runs turn into an out-of-memory crash.
      const handlers = buildHandlers();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...SAMPLES.filter((sample) => sample.startsWith('s3/'))),
          fc.string().filter((name) => name.length > 0 && !/^(Create|Put|Delete)/.test(name)),
          async (sample, eventName) => {
            handlers.startRun();
            const event = loadEvent(sample) as { detail: Record<string, unknown> };
            event.detail.eventName = eventName;

            const outcome = await run(handlers.s3Guard, event);

            expect(outcome).toMatchObject({ result: { status: 'IGNORED' } });
            expect(sentCommands()).toEqual([]);
          },
        ),
        runOptions,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'leaves Object.prototype unpolluted after events carrying __proto__ and constructor keys',
    async () => {
      // One handler chain per property, as a warm container serves many events: SDK clients built
      // on every run each keep a few KB that 10,000 runs turn into an out-of-memory crash.
      const handlers = buildHandlers();
      await fc.assert(
        fc.asyncProperty(eventArb, async ({ event }) => {
          handlers.startRun();
          await run(handlers.s3Guard, event);
          await run(handlers.rootGuard, event);

          expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
        }),
        runOptions,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
