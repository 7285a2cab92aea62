import { randomBytes } from 'node:crypto';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { MetadataBearer } from '@smithy/types';
import type { Context } from 'aws-lambda';
import { clientConfig } from '#shared/aws/clients.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { FUNCTION_NAMES, type FunctionName, resourceNames } from '#shared/config/names.ts';
import { runEveryTime } from '#shared/idempotency/idempotency.ts';
import type { WardenMetric } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { localGuardConfig } from '../../cli/local/guard-config.ts';
import type { LocalConfig } from '../../cli/local/local-config.ts';
import { createS3Guard } from '../../functions/s3-guard/s3-guard.ts';
import { buildS3GuardDeps } from '../../functions/s3-guard/wiring.ts';

/**
 * A fault layer for real SDK v3 clients: a middleware that sits inside the SDK's retry loop and,
 * for chosen commands, throws the error AWS would have returned (or runs a hook first, e.g. to
 * delete the bucket for real just before the call). Used where the emulator cannot produce a fault:
 * throttling, 5xx, timeouts, AccessDenied from an SCP, SNS failures.
 *
 * Every attempt (retries included) is also recorded, with its start and end time, so tests can
 * count attempts and the benchmark can count calls and sequential round trips.
 */

/** Something with a middleware stack: any SDK v3 client (DynamoDBDocumentClient shares its client's). */
export interface InstrumentableClient {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'deserialize'; name: string; priority: 'high' }): void;
  };
}

export interface FaultRule {
  /** The command class name, e.g. `PutBucketEncryptionCommand`. */
  readonly command: string;
  /** Only attempts whose input matches, e.g. `(input) => input.TableName === auditTable`. */
  readonly when?: (input: Record<string, unknown>) => boolean;
  /** How many matching attempts fail (default: every one). Counted across retries. */
  readonly times?: number;
  /** Skip this many matching attempts before failing (e.g. 1 = let the first read pass, fail the read-back). */
  readonly after?: number;
  /** The error to throw; omitted = no error (only `before` runs). */
  readonly error?: () => Error;
  /** Runs before the attempt is sent, e.g. to delete the bucket in the emulator. */
  readonly before?: () => Promise<void>;
}

export interface RecordedCall {
  readonly service: string;
  readonly command: string;
  readonly start: number;
  readonly end: number;
  readonly failed: boolean;
}

/** AWS-shaped service errors, as the SDK deserialises them (name, HTTP status, fault). */
export const awsFault = {
  slowDown: () => serviceError('SlowDown', 503, 'Please reduce your request rate.'),
  serviceUnavailable: () => serviceError('ServiceUnavailable', 503, 'Service Unavailable'),
  internalError: () => serviceError('InternalError', 500, 'We encountered an internal error.'),
  throttling: () => serviceError('ThrottlingException', 400, 'Rate exceeded'),
  throughputExceeded: () =>
    serviceError(
      'ProvisionedThroughputExceededException',
      400,
      'The level of configured provisioned throughput was exceeded',
    ),
  /** What @smithy/node-http-handler throws when `requestTimeout` elapses. */
  timeout: () => Object.assign(new Error('Connection timed out after 8000 ms'), { name: 'TimeoutError' }),
  /** An explicit deny in a service control policy. */
  accessDeniedByScp: () =>
    serviceError(
      'AccessDenied',
      403,
      'User: arn:aws:sts::123456789012:assumed-role/warden-s3-guard-role/s3-guard is not authorized to perform this action with an explicit deny in a service control policy',
    ),
  noSuchBucket: () => serviceError('NoSuchBucket', 404, 'The specified bucket does not exist'),
};

function serviceError(name: string, status: number, message: string): Error & MetadataBearer {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
  });
}

/** The faults and the call log shared by every client it is attached to. */
export class FaultLayer {
  readonly calls: RecordedCall[] = [];
  private rules: { rule: FaultRule; seen: number; thrown: number }[] = [];
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Adds a fault; it stays until it has thrown `times` errors or `clear()` is called. */
  inject(rule: FaultRule): this {
    this.rules.push({ rule, seen: 0, thrown: 0 });
    return this;
  }

  /** The fault clears (as throttling does after a while): the next attempts go through. */
  clear(): void {
    this.rules = [];
  }

  /** Forgets the recorded calls (not the faults). */
  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Attempts of a command (retries included), optionally only those that failed. */
  attempts(command: string, which: 'all' | 'failed' = 'all'): number {
    return this.calls.filter((call) => call.command === command && (which === 'all' || call.failed)).length;
  }

  /** Write calls (anything that is not a Get/List/Describe/Head/Query/Receive). */
  writes(service?: string): RecordedCall[] {
    return this.calls.filter(
      (call) =>
        (service === undefined || call.service === service) &&
        !/^(Get|List|Describe|Head|Query|Scan|Receive)/.test(call.command),
    );
  }

  /** Attaches the layer to a client; returns the client for chaining. */
  attach<C extends InstrumentableClient>(client: C, service: string): C {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const command = context.commandName ?? 'UnknownCommand';
          const start = this.now();
          let failed = true;
          try {
            for (const entry of this.rules) {
              if (entry.rule.command !== command) continue;
              if (
                entry.rule.when &&
                !entry.rule.when((args as { input?: Record<string, unknown> }).input ?? {})
              )
                continue;
              entry.seen += 1;
              if (entry.seen <= (entry.rule.after ?? 0)) continue;
              if (entry.rule.times !== undefined && entry.thrown >= entry.rule.times) continue;
              await entry.rule.before?.();
              if (entry.rule.error) {
                entry.thrown += 1;
                throw entry.rule.error();
              }
            }
            const output = await next(args);
            failed = false;
            return output;
          } finally {
            this.calls.push({ service, command, start, end: this.now(), failed });
          }
        },
      // Inside the retry middleware (finalizeRequest), so every attempt passes here and the SDK
      // retries the injected errors exactly as it would retry AWS's.
      { step: 'deserialize', name: 'wardenFaultInjection', priority: 'high' },
    );
    return client;
  }
}

/**
 * Sequential round trips: calls grouped into waves of overlapping time intervals. A call that
 * starts after every call of the current wave has ended opens a new wave.
 */
export function roundTrips(calls: readonly Pick<RecordedCall, 'start' | 'end'>[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  let waves = 0;
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const call of sorted) {
    if (call.start >= waveEnd) {
      waves += 1;
      waveEnd = call.end;
    } else {
      waveEnd = Math.max(waveEnd, call.end);
    }
  }
  return waves;
}

/** The real s3-guard use case, wired by s3-guard's own wiring, with every client behind the fault layer. */
export interface InstrumentedGuardOptions {
  readonly config: LocalConfig;
  readonly policy: Policy;
  readonly layer: FaultLayer;
  /** Warden's KMS key (default: the provisioned one). */
  readonly kmsKeyArn?: string;
  /** Idempotency: the real DynamoDB store (default) or none. */
  readonly idempotency?: 'dynamodb' | 'none';
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export function instrumentedS3Guard(options: InstrumentedGuardOptions) {
  const { config, policy, layer } = options;
  const guardConfig: GuardConfig = {
    ...localGuardConfig(config, policy),
    kmsKeyArn: options.kmsKeyArn ?? config.kmsKeyArn,
  };
  const deps = buildS3GuardDeps(guardConfig, {
    aws: { endpoint: config.endpoint, credentials: localCredentials() },
    wrapClient: (client, service) => layer.attach(client, service),
  });
  const logs: LogLine[] = [];
  const logAt =
    (level: LogLine['level']) =>
    (message: string, ...extra: unknown[]) => {
      const fields = Object.assign({}, ...extra.filter((item) => typeof item === 'object' && item !== null));
      logs.push({ level, message, fields });
    };
  const metrics: { name: WardenMetric; dimensions?: Readonly<Record<string, string>> }[] = [];
  const guard = createS3Guard({
    ...deps,
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    metrics: {
      count: (name, dimensions) => void metrics.push({ name, ...(dimensions ? { dimensions } : {}) }),
    },
    once: options.idempotency === 'none' ? runEveryTime : deps.once,
    // Account settings show at once in the emulator: no waiting between read-backs.
    pause: async () => {},
  });
  // As guardHandler does per invocation, once the guard's steps exist: in-progress records expire
  // with the (here: one minute) deadline.
  deps.once.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as Context);
  return { guard, logs, metrics };
}

/*
 * EventBridge routing harness (loop, duplicate and routing tests): the synthesized stacks' rules,
 * recreated in the emulator with one SQS queue per function. Rules that forward to another bus
 * (the us-east-1 forwarder) get a queue too; `route` re-puts what they forwarded on the hub bus, as
 * the cross-region bus target would.
 */

/** The account and hub region the stacks are synthesized for (IAM and sign-in events come from us-east-1). */
export const SYNTH_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

export interface SynthesizedRule {
  readonly stack: string;
  readonly region: string;
  readonly logicalId: string;
  readonly pattern: Record<string, unknown>;
  /** The function the rule invokes, or `forward` for a rule that sends to another bus. */
  readonly target: FunctionName | 'forward';
}

/** Every EventBridge rule of every stack the Warden app synthesizes, patterns resolved as deployed. */
export async function synthesizedRules(): Promise<SynthesizedRule[]> {
  const [{ Stack }, { Template }, { readFileSync }, { createWardenApp }, { throwawayBundleDir }] =
    await Promise.all([
      import('aws-cdk-lib'),
      import('aws-cdk-lib/assertions'),
      import('node:fs'),
      import('../../infra/warden-app.ts'),
      import('../infra/support/synth-hub.ts'),
    ]);
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
  const bundle = throwawayBundleDir();
  const { app } = createWardenApp({
    env: SYNTH_ENV,
    appProps: { context },
    bundleDirs: Object.fromEntries(FUNCTION_NAMES.map((name) => [name, bundle])),
  });
  const rules: SynthesizedRule[] = [];
  for (const stack of app.node.findAll().filter((node) => Stack.isStack(node))) {
    const template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function');
    const nameOf = (logicalId: string): FunctionName | undefined => {
      const physical = functions[logicalId]?.Properties?.FunctionName;
      return FUNCTION_NAMES.find((name) => physical === resourceNames().functionName(name));
    };
    for (const [logicalId, rule] of Object.entries(template.findResources('AWS::Events::Rule'))) {
      // A schedule (the sweep's) routes no event.
      if (rule.Properties.EventPattern === undefined) continue;
      const pattern = resolveDeployed(rule.Properties.EventPattern, stack.region) as Record<string, unknown>;
      for (const target of rule.Properties.Targets ?? []) {
        const arn = target.Arn as { 'Fn::GetAtt'?: [string, string] } | string;
        const getAtt = typeof arn === 'object' ? arn['Fn::GetAtt'] : undefined;
        const fn = getAtt ? nameOf(getAtt[0]) : undefined;
        const forwards = JSON.stringify(resolveDeployed(arn, stack.region)).includes(':event-bus/');
        if (fn || forwards)
          rules.push({
            stack: stack.stackName,
            region: stack.region,
            logicalId,
            pattern,
            target: fn ?? 'forward',
          });
      }
    }
  }
  return rules;
}

/** `Ref` to pseudo parameters and `Fn::Join`, resolved as in the synthesized account and region. */
function resolveDeployed(value: unknown, region: string): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeployed(item, region));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': SYNTH_ENV.account,
    'AWS::Region': region,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (typeof record.Ref === 'string' && record.Ref in pseudo) return pseudo[record.Ref];
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((part) => String(resolveDeployed(part, region))).join(separator);
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, inner]) => [key, resolveDeployed(inner, region)]),
  );
}

/** An EventBridge event as the rule targets receive it. */
export interface RoutedEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface RoutingBus {
  /** Puts the events where they originate (global-service events on the us-east-1 bus) and returns what each function's queue received. */
  route(events: readonly RoutedEvent[]): Promise<Record<FunctionName, RoutedEvent[]>>;
}

const GLOBAL_SOURCES = new Set(['aws.iam', 'aws.signin']);

/** Buses, rules and SQS targets in the emulator, names unique to one harness. */
function emulatorBuses(config: LocalConfig) {
  const target = { endpoint: config.endpoint, region: config.region, credentials: localCredentials() };
  const eventBridge = new EventBridgeClient(clientConfig(target));
  const sqs = new SQSClient(clientConfig(target));
  const run = randomBytes(3).toString('hex');
  const busOf = new Map<string, string>();
  const queueOf = new Map<string, string>();
  let rules = 0;

  const ensureBus = async (key: string) => {
    let name = busOf.get(key);
    if (!name) {
      name = `${key}-${run}`;
      await eventBridge.send(new CreateEventBusCommand({ Name: name }));
      busOf.set(key, name);
    }
    return name;
  };
  const ensureQueue = async (key: string) => {
    let url = queueOf.get(key);
    if (!url) {
      const created = await sqs.send(new CreateQueueCommand({ QueueName: `route-${key}-${run}` }));
      url = created.QueueUrl ?? '';
      queueOf.set(key, url);
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return Attributes?.QueueArn ?? '';
  };
  /** A rule on the bus `busKey` whose one target is the queue `queueKey`. */
  const addRule = async (busKey: string, pattern: Record<string, unknown>, queueKey: string) => {
    const bus = await ensureBus(busKey);
    const queueArn = await ensureQueue(queueKey);
    const name = `r${rules++}-${run}`;
    await eventBridge.send(
      new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    await eventBridge.send(
      new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'queue', Arn: queueArn }] }),
    );
  };
  /** Everything the queue `key` holds, deleted from it. */
  const drain = async (key: string): Promise<RoutedEvent[]> => {
    const url = queueOf.get(key);
    const out: RoutedEvent[] = [];
    if (!url) return out;
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return out;
      // moto's SQS target leaves out the envelope's `account`, which EventBridge always sets.
      out.push(
        ...Messages.map((message) => ({
          account: config.accountId,
          ...(JSON.parse(message.Body ?? '{}') as RoutedEvent),
        })),
      );
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((message, id) => ({ Id: String(id), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  };
  const put = async (busKey: string, events: readonly RoutedEvent[]) => {
    const bus = await ensureBus(busKey);
    for (let start = 0; start < events.length; start += 10) {
      const batch = events.slice(start, start + 10);
      const { FailedEntryCount } = await eventBridge.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: bus,
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (FailedEntryCount) throw new Error(`PutEvents refused ${FailedEntryCount} events`);
    }
  };
  return { ensureQueue, addRule, drain, put };
}

/** Recreates the rules in the emulator: one bus per stack, one queue per function, one per forwarder. */
export async function routingBus(
  config: LocalConfig,
  rules: readonly SynthesizedRule[],
): Promise<RoutingBus> {
  const buses = emulatorBuses(config);
  const hubStack = rules.find((rule) => rule.target !== 'forward')?.stack;
  if (!hubStack) throw new Error('No synthesized rule invokes a function');
  const forwarderStack = rules.find(
    (rule) => rule.target === 'forward' && rule.region === 'us-east-1',
  )?.stack;
  for (const rule of rules)
    await buses.addRule(
      rule.stack,
      rule.pattern,
      rule.target === 'forward' ? `forward-${rule.stack}` : rule.target,
    );
  for (const name of FUNCTION_NAMES) await buses.ensureQueue(name);

  return {
    async route(events) {
      const global = events.filter((event) => GLOBAL_SOURCES.has(event.source));
      const regional = events.filter((event) => !GLOBAL_SOURCES.has(event.source));
      await buses.put(hubStack, regional);
      await buses.put(forwarderStack ?? hubStack, global);
      // What the forwarders sent arrives on the hub's bus.
      for (const stack of new Set(rules.filter((r) => r.target === 'forward').map((r) => r.stack)))
        await buses.put(hubStack, await buses.drain(`forward-${stack}`));
      const received = {} as Record<FunctionName, RoutedEvent[]>;
      for (const name of FUNCTION_NAMES) received[name] = await buses.drain(name);
      return received;
    },
  };
}

export interface PatternBus<Name extends string> {
  /** Puts the events on the bus and returns what each rule's target queue received, by rule name. */
  put(events: readonly RoutedEvent[]): Promise<Record<Name, RoutedEvent[]>>;
}

/**
 * Event patterns (already resolved) as rules on one emulator bus, each rule with its own SQS
 * queue: which rules an event matches, e.g. the spoke template's forwarding rules.
 */
export async function patternBus<Name extends string>(
  config: LocalConfig,
  patterns: Readonly<Record<Name, Record<string, unknown>>>,
): Promise<PatternBus<Name>> {
  const buses = emulatorBuses(config);
  const names = Object.keys(patterns) as Name[];
  for (const name of names) await buses.addRule('patterns', patterns[name], `rule-${name}`);
  return {
    async put(events) {
      await buses.put('patterns', events);
      const received = {} as Record<Name, RoutedEvent[]>;
      for (const name of names) received[name] = await buses.drain(`rule-${name}`);
      return received;
    },
  };
}
