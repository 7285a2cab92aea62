import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import { rootAccessKey } from '#shared/controls/root-access-key.ts';
import { classifyError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { sweepCall } from '#shared/events/sweep-call.ts';
import { modeOf } from '#shared/guard/evaluate.ts';
import type { Log } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { EMPTY_TALLY, mergeTallies, type SweepTally, tallyError, tallyResult } from './tally.ts';
import { BUCKETS_PER_ITEM, type SweepWorkItem } from './work-items.ts';

export interface SweepWhere {
  readonly sweepId: string;
  readonly startedAt: string;
  readonly accountId: string;
  readonly region: string;
}

/** One page of an account's general purpose buckets in one region. */
export interface BucketPage {
  readonly buckets: readonly string[];
  readonly continuationToken?: string;
  /** Set when the listing may be incomplete (a full page came back without a continuation token). */
  readonly warning?: string;
}

export interface SweepEngineDeps {
  readonly policy: Policy;
  listBuckets(where: SweepWhere, continuationToken?: string): Promise<BucketPage>;
  /** The one guard pipeline (s3-guard's plug-in taking sweep calls): same reads, checks, fixes, audit. */
  judge(call: ApiCall): Promise<GuardResult>;
  /** How many access keys the account's root user has (IAM GetAccountSummary). */
  rootAccessKeys(where: SweepWhere): Promise<number>;
  /** Controls an earlier completed sweep of this account and region enforced; undefined when none ran. */
  previousSweep(where: SweepWhere): Promise<ReadonlySet<string> | undefined>;
  /** Buckets of one item judged at once. One item per account runs at a time: this is the per-account cap. */
  readonly bucketConcurrency: number;
  /** Attempts per resource when AWS throttles (SlowDown, 503) beyond the SDK's own retries. */
  readonly attempts: number;
  pause(milliseconds: number): Promise<void>;
  readonly log: Pick<Log, 'info' | 'warn'>;
}

export interface ItemResult {
  /** Work this item found: the buckets of a listed page and the next page. */
  readonly children: readonly SweepWorkItem[];
  readonly tally: SweepTally;
}

const BACKOFF_MS = 500;

/**
 * The sweep's work, one item at a time: list a page, judge a batch of buckets through the guard pipeline,
 * or judge an account's own settings. A failure is recorded against its resource and the rest goes on;
 * throttling is retried with backoff a bounded number of times, never forever.
 */
export function createSweepEngine(deps: SweepEngineDeps) {
  // Read once per account and region, not per bucket.
  const previousSweeps = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  const previousSweep = (where: SweepWhere) => {
    const key = `${where.sweepId}#${where.accountId}#${where.region}`;
    const previous = previousSweeps.get(key) ?? deps.previousSweep(where);
    previousSweeps.set(key, previous);
    return previous;
  };
  async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | { error: string }> {
    for (let tries = 1; ; tries++) {
      try {
        return await run();
      } catch (thrown) {
        const error = classifyError(thrown, what);
        if (!error.retryable || tries >= deps.attempts) return { error: error.message };
        deps.log.warn('Sweep retrying after a retryable error', { what, tries, error: error.message });
        await deps.pause(BACKOFF_MS * 2 ** (tries - 1));
      }
    }
  }
  const failed = (value: unknown): value is { error: string } =>
    typeof value === 'object' && value !== null && 'error' in value;

  async function judgeResource(item: SweepWhere, bucket?: string): Promise<SweepTally> {
    const where = { accountId: item.accountId, region: item.region };
    const call = sweepCall({ ...item, ...(bucket === undefined ? {} : { bucket }) });
    const [result, previous] = await Promise.all([
      attempt(`judging ${bucket ?? `account ${item.accountId}`}`, () => deps.judge(call)),
      previousSweep(item),
    ]);
    if (failed(result))
      return tallyError({ ...where, resource: bucket ?? item.accountId, reason: result.error });
    return tallyResult(where, result, (outcome) => previous?.has(outcome.controlId) === true);
  }

  async function list(item: Extract<SweepWorkItem, { kind: 'list' }>): Promise<ItemResult> {
    const page = await attempt(`listing buckets of ${item.accountId} in ${item.region}`, () =>
      deps.listBuckets(item, item.continuationToken),
    );
    const resource = `bucket listing (page ${item.page + 1})`;
    const where = { accountId: item.accountId, region: item.region };
    if (failed(page)) return { children: [], tally: tallyError({ ...where, resource, reason: page.error }) };
    const { sweepId, startedAt, accountId, region } = item;
    const batches: SweepWorkItem[] = [];
    for (let start = 0; start < page.buckets.length; start += BUCKETS_PER_ITEM)
      batches.push({
        kind: 'buckets',
        sweepId,
        startedAt,
        accountId,
        region,
        buckets: page.buckets.slice(start, start + BUCKETS_PER_ITEM),
      });
    const next: SweepWorkItem[] = page.continuationToken
      ? [{ ...item, page: item.page + 1, continuationToken: page.continuationToken }]
      : [];
    const tally = page.warning ? tallyError({ ...where, resource, reason: page.warning }) : EMPTY_TALLY;
    return { children: [...batches, ...next], tally };
  }

  async function buckets(item: Extract<SweepWorkItem, { kind: 'buckets' }>) {
    const tallies = await mapWithConcurrency(item.buckets, deps.bucketConcurrency, (bucket) =>
      judgeResource(item, bucket),
    );
    return { children: [], tally: tallies.reduce(mergeTallies, EMPTY_TALLY) };
  }

  async function account(item: Extract<SweepWorkItem, { kind: 'account' }>) {
    const [settings, rootKeys] = await Promise.all([judgeResource(item), rootKeyTally(item)]);
    return { children: [], tally: mergeTallies(settings, rootKeys) };
  }

  /** Root access keys: reported, never deleted here (as root-guard decides for keys it did not see created). */
  async function rootKeyTally(item: SweepWhere): Promise<SweepTally> {
    if (modeOf(rootAccessKey, deps.policy) === 'off') return EMPTY_TALLY;
    const where = { accountId: item.accountId, region: item.region };
    const keys = await attempt(`reading the account summary of ${item.accountId}`, () =>
      deps.rootAccessKeys(item),
    );
    if (failed(keys))
      return tallyError({ ...where, resource: `root user of ${item.accountId}`, reason: keys.error });
    const outcome: ControlOutcome = {
      controlId: rootAccessKey.id,
      title: rootAccessKey.title,
      severity: rootAccessKey.severity,
      compliance: rootAccessKey.compliance,
      resource: `arn:aws:iam::${item.accountId}:root`,
      status: keys > 0 ? 'DETECTED' : 'ALREADY_COMPLIANT',
      reason:
        keys > 0
          ? `The root user of account ${item.accountId} has ${keys} access key(s). Sign in as root, open Security credentials and delete them; in an Organization, delete them through centralized root access (aws iam list-access-keys with sts:AssumeRoot).`
          : 'The root user has no access keys.',
      actions: [],
    };
    return tallyResult(where, { status: 'PROCESSED', outcomes: [outcome] }, () => false);
  }

  return {
    /** Does one item; never throws for a resource's failure, which the tally records instead. */
    async handle(item: SweepWorkItem): Promise<ItemResult> {
      switch (item.kind) {
        case 'list':
          return list(item);
        case 'buckets':
          return buckets(item);
        case 'account':
          return account(item);
      }
    },
  };
}

export type SweepEngine = ReturnType<typeof createSweepEngine>;
