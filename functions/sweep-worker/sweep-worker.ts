import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { Log } from '#shared/observability/observability.ts';
import { exemptionsExpiringSoon } from '#shared/policy/exemptions.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { mapWithConcurrency } from '#shared/sweep/concurrency.ts';
import { sweepDigest } from '#shared/sweep/digest.ts';
import type { SweepEngine } from '#shared/sweep/engine.ts';
import type { SweepHistory } from '#shared/sweep/history.ts';
import type { SweepLedger, SweepState } from '#shared/sweep/ledger.ts';
import type { SweepQueue } from '#shared/sweep/queue.ts';
import { type SweepTally, totalsOf } from '#shared/sweep/tally.ts';
import { type SweepWorkItem, SweepWorkItemSchema, workItemKey } from '#shared/sweep/work-items.ts';

/** Per completed sweep, in CloudWatch (infra/constructs/sweep.ts alarms on failures and drift). */
export interface SweepMetrics {
  sweepCompleted(values: {
    readonly resourcesChecked: number;
    readonly repairs: number;
    readonly findings: number;
    readonly failures: number;
    readonly durationMs: number;
    readonly drift: number;
  }): void;
}

export interface SweepWorkerDeps {
  readonly engine: SweepEngine;
  readonly ledger: SweepLedger;
  readonly queue: SweepQueue;
  readonly history: SweepHistory;
  readonly alerts: AlertPublisher;
  /** Controls the policy enforces, recorded per complete account-region for drift detection. */
  readonly enforced: readonly string[];
  /** The policy in force (its exemptions about to expire are named in the digest). */
  readonly policy: Policy;
  readonly metrics: SweepMetrics;
  readonly log: Pick<Log, 'info' | 'warn'>;
  readonly now: () => Date;
}

/**
 * One work item: do it, count and enqueue what it found (counted first, so the sweep never looks finished
 * early), record its tally, and when it was the last, send the one digest. A redelivered item is judged
 * again (live state; fixes are idempotent) but never counted twice.
 */
export async function handleWorkItem(deps: SweepWorkerDeps, item: SweepWorkItem): Promise<void> {
  const key = workItemKey(item);
  const result = await deps.engine.handle(item);
  await deps.ledger.spawned(item.sweepId, key, result.children.length);
  await deps.queue.send(result.children);
  const state = await deps.ledger.done(item.sweepId, key, result.tally);
  deps.log.info('Sweep item done', { sweepId: item.sweepId, item: key, pending: state.pending });
  if (state.pending <= 0 && !state.digestSentAt) await finishSweep(deps, state);
}

async function finishSweep(deps: SweepWorkerDeps, state: SweepState): Promise<void> {
  const tally = await deps.ledger.tally(state.sweepId);
  const digest = sweepDigest(
    { ...state, dryRun: false, expiringExemptions: exemptionsExpiringSoon(deps.policy, deps.now()) },
    tally,
  );
  // Claimed before publishing, so two workers finishing at once send one digest; released when the
  // publish fails, so the retried message sends it.
  if (!(await deps.ledger.claimDigest(state.sweepId, deps.now().toISOString()))) return;
  try {
    if (digest) await deps.alerts.publish(digest);
  } catch (error) {
    await deps.ledger.releaseDigest(state.sweepId);
    throw error;
  }
  await recordHistory(deps, state, tally);
  const totals = totalsOf(tally);
  deps.metrics.sweepCompleted({
    resourcesChecked: totals.resources,
    repairs: totals.repaired,
    findings: totals.detected + totals.failed,
    failures: totals.failed + totals.errors,
    durationMs: deps.now().getTime() - Date.parse(state.startedAt),
    drift: totals.drift,
  });
  deps.log.info('Sweep complete', { sweepId: state.sweepId, ...totals });
}

/** Account-regions swept without an error become the reference for the next sweep's drift. */
async function recordHistory(deps: SweepWorkerDeps, state: SweepState, tally: SweepTally): Promise<void> {
  const failed = new Set(tally.errors.map((error) => `${error.accountId}#${error.region}`));
  const completedAt = deps.now().toISOString();
  const complete = state.accounts.flatMap((account) =>
    account.regions
      .filter((region) => !failed.has(`${account.accountId}#${region}`))
      .map((region) => ({ accountId: account.accountId, region })),
  );
  // Ten writes at a time: an organization sweep ends with one per account and region.
  await mapWithConcurrency(complete, 10, (where) =>
    deps.history.record(where, { sweepId: state.sweepId, completedAt, enforced: deps.enforced }),
  );
}

/** SQS's partial-batch answer: only the failed records are retried. */
export interface BatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}

/**
 * The queue's records (one per invocation as configured; any number works). A malformed record cannot get
 * better by retrying: it is logged and counted, and dropped. A failed item is returned for SQS to retry; past
 * maxReceiveCount it lands in the dead-letter queue, which is alarmed.
 */
export async function processSweepRecords(
  deps: SweepWorkerDeps & { readonly rejected: (reason: string) => void },
  event: unknown,
): Promise<BatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const records = (event as { readonly Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) {
    deps.rejected('the sweep worker was invoked without SQS records');
    return { batchItemFailures: [] };
  }
  for (const record of records as SqsRecord[]) {
    const item = parseWorkItem(record.body);
    if ('invalid' in item) {
      deps.rejected(`sweep work item ${record.messageId} is malformed: ${item.invalid}`);
      continue;
    }
    try {
      await handleWorkItem(deps, item.item);
    } catch (error) {
      deps.log.warn('Sweep item failed; SQS retries it', {
        messageId: record.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

function parseWorkItem(body: string): { item: SweepWorkItem } | { invalid: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { invalid: 'the body is not JSON' };
  }
  const parsed = SweepWorkItemSchema.safeParse(json);
  return parsed.success
    ? { item: parsed.data }
    : { invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}
