import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { AuditLog } from '#shared/audit/audit-log.ts';
import type { BaselineStore } from '#shared/audit/baseline-store.ts';
import type { RemediationJournal } from '#shared/audit/remediation-journal.ts';
import { clientFactory } from '#shared/aws/clients.ts';
import { memberAccountClients } from '#shared/aws/member-clients.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { callAws } from '#shared/errors/errors.ts';
import { createGuard } from '#shared/guard/pipeline.ts';
import { runEveryTime } from '#shared/idempotency/idempotency.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';
import type { KmsKeyReader } from '#shared/s3/kms-key.ts';
import { listBucketPage } from '#shared/s3/list-buckets.ts';
import { createSweepEngine, type SweepWhere } from '#shared/sweep/engine.ts';
import { dynamoSweepHistory, memorySweepHistory } from '#shared/sweep/history.ts';
import { dryRunPolicy, enforcedControls } from '#shared/sweep/sweep-policy.ts';
import { s3GuardPlugin } from '../s3-guard/s3-guard.ts';
import { buildS3GuardDeps, type WiringOptions } from '../s3-guard/wiring.ts';

export interface SweepWiringOptions extends WiringOptions {
  /** Read only: every repair reported as "Would ...", nothing journalled, audited or recorded. */
  readonly dryRun?: boolean;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  /** Buckets judged at once within one account (default 5). */
  readonly bucketConcurrency?: number;
  readonly pause?: (milliseconds: number) => Promise<void>;
  /** Buckets per ListBuckets page (default BUCKETS_PER_PAGE); the benchmark raises it for the emulator. */
  readonly bucketsPerPage?: number;
}

const DEFAULT_BUCKET_CONCURRENCY = 5;
const ATTEMPTS = 4;
const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** The sweep reports in one digest: the per-bucket alert of the pipeline is not published. */
const NO_PER_RESOURCE_ALERTS: AlertPublisher = { publish: async () => '' };

/** Nothing written on a dry run; reads find nothing (so a dry run plans as if no baseline were kept). */
const readOnlyStores = () => ({
  audit: { record: async () => {} } satisfies AuditLog,
  journal: { read: async () => undefined, write: async () => {} } satisfies RemediationJournal,
  baselines: {
    readPolicy: async () => undefined,
    writePolicy: async () => {},
    endPolicy: async () => {},
  } satisfies BaselineStore,
});

/** How long a sweep worker trusts a key status it read: one read per key and minute, never per bucket. */
const KEY_STATUS_TTL_MS = 60_000;

/** Warden's key status in one account and region, read again once it is a minute old (a key may be disabled). */
function cachedKeyStatus(read: KmsKeyReader, now: () => number): KmsKeyReader {
  let cached: { readonly at: number; readonly status: ReturnType<KmsKeyReader['status']> } | undefined;
  return {
    status: () => {
      if (!cached || now() - cached.at > KEY_STATUS_TTL_MS) {
        const status = read.status();
        cached = { at: now(), status };
        // A failed read is not kept: the next bucket reads again.
        status.catch(() => {
          if (cached?.status === status) cached = undefined;
        });
      }
      return cached.status;
    },
  };
}

/**
 * The sweep's engine over s3-guard's own wiring and plug-in (sweep mode): the same readers, controls,
 * journal, audit and baselines as the event path. Used by the sweep worker and by `warden sweep`.
 */
export function buildSweepEngine(config: GuardConfig, options: SweepWiringOptions) {
  const guardDeps = buildS3GuardDeps(config, options);
  const policy = options.dryRun ? dryRunPolicy(config.policy) : config.policy;
  const aws = clientFactory({ region: config.region, ...options.aws }, options.wrapClient);
  // IAM is global: the account summary is read through us-east-1 with the account's credentials.
  const iamFor = memberAccountClients(aws, config, guardDeps.clock, (scoped) =>
    scoped.with({ region: 'us-east-1' }).make(IAMClient, 'iam'),
  );
  const keyReaders = new Map<string, KmsKeyReader>();
  const clientsFor = async (request: Parameters<NonNullable<typeof guardDeps.clientsFor>>[0]) => {
    const clients = await guardDeps.clientsFor(request);
    const key = `${request.accountId}|${request.region}`;
    const kmsKeys =
      keyReaders.get(key) ?? cachedKeyStatus(clients.kmsKeys, () => guardDeps.clock.now().getTime());
    keyReaders.set(key, kmsKeys);
    return { ...clients, kmsKeys };
  };
  // A dry run writes nowhere: no journal, audit or baseline, no fight state, no Security Hub finding.
  const { fights, findings, ...readers } = guardDeps;
  const stores = options.dryRun ? readOnlyStores() : { fights, findings };
  const sweepDeps = {
    ...readers,
    ...stores,
    config: { ...guardDeps.config, policy },
    alerts: NO_PER_RESOURCE_ALERTS,
    // Nothing to de-duplicate: each resource has its own call per sweep, and a re-run judges live state again.
    once: runEveryTime,
    clientsFor,
    log: options.log,
    metrics: options.metrics,
    sweep: true,
    ...(options.pause ? { pause: options.pause } : {}),
  };
  const judge = createGuard(sweepDeps, s3GuardPlugin(sweepDeps));
  const history = options.dryRun
    ? memorySweepHistory()
    : dynamoSweepHistory(
        DynamoDBDocumentClient.from(aws.make(DynamoDBClient, 'dynamodb')),
        config.auditTable,
      );
  const request = (where: SweepWhere) => ({ ...where, eventId: `sweep-${where.sweepId}` });
  const engine = createSweepEngine({
    policy,
    judge,
    listBuckets: async (where, token) =>
      listBucketPage(
        (await guardDeps.clientsFor(request(where))).s3,
        where.region,
        token,
        options.bucketsPerPage,
      ),
    rootAccessKeys: async (where) => {
      const iam = await iamFor(request(where));
      const { SummaryMap } = await callAws(`reading the account summary of ${where.accountId}`, () =>
        iam.send(new GetAccountSummaryCommand({})),
      );
      return SummaryMap?.AccountAccessKeysPresent ?? 0;
    },
    previousSweep: (where) => history.previous(where),
    bucketConcurrency: options.bucketConcurrency ?? DEFAULT_BUCKET_CONCURRENCY,
    attempts: ATTEMPTS,
    pause: options.pause ?? sleep,
    log: options.log,
  });
  return { engine, history, policy, enforced: enforcedControls(policy) };
}
