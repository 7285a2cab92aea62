import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MetadataBearer } from '@smithy/types';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { clientConfig, s3ClientConfig, s3ControlClientConfig } from '#shared/aws/client-config.ts';
import { dynamoOnce, runEveryTime } from '#shared/idempotency/idempotency.ts';
import { localCredentials } from '#shared/local/credentials.ts';
import type { LocalConfig } from '#shared/local/local-config.ts';
import { systemClock, type WardenMetric } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { createS3Guard } from '#shared/remediation/s3-guard.ts';
import { kmsKeyReader } from '#shared/s3/kms-key.ts';

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

/** The real s3-guard use case, wired as shared/runtime/guard-runtime.ts wires it, with every client behind the fault layer. */
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
  const target = { endpoint: config.endpoint, region: config.region, credentials: localCredentials() };
  const dynamodb = layer.attach(new DynamoDBClient(clientConfig(target)), 'dynamodb');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const kmsKeyArn = options.kmsKeyArn ?? config.kmsKeyArn;
  const logs: LogLine[] = [];
  const logAt =
    (level: LogLine['level']) =>
    (message: string, ...extra: unknown[]) => {
      const fields = Object.assign({}, ...extra.filter((item) => typeof item === 'object' && item !== null));
      logs.push({ level, message, fields });
    };
  const metrics: { name: WardenMetric; dimensions?: Readonly<Record<string, string>> }[] = [];
  const guard = createS3Guard({
    config: { kmsKeyArn, ownRoleArns: config.ownRoleArns, policy },
    s3: layer.attach(new S3Client(s3ClientConfig(target)), 's3'),
    s3Control: layer.attach(new S3ControlClient(s3ControlClientConfig(target)), 's3control'),
    kmsKeys: kmsKeyReader(layer.attach(new KMSClient(clientConfig(target)), 'kms'), kmsKeyArn),
    alerts: snsAlertPublisher(layer.attach(new SNSClient(clientConfig(target)), 'sns'), config.alertTopicArn),
    audit: dynamoAuditLog(documents, config.auditTable),
    baselines: dynamoBaselineStore(documents, config.auditTable),
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    metrics: {
      count: (name, dimensions) => void metrics.push({ name, ...(dimensions ? { dimensions } : {}) }),
    },
    clock: systemClock,
    once:
      options.idempotency === 'none'
        ? runEveryTime
        : dynamoOnce(dynamodb, config.idempotencyTable, 's3-guard'),
    // Account settings show at once in the emulator: no waiting between read-backs.
    pause: async () => {},
  });
  return { guard, logs, metrics };
}
