import type { ControlId } from '#shared/contracts/controls.ts';
import { mapWithConcurrency } from './concurrency.ts';
import type { SweepEngine } from './engine.ts';
import type { SweepHistory } from './history.ts';
import { EMPTY_TALLY, mergeTallies, type SweepTally } from './tally.ts';
import { type SweepWorkItem, startItems } from './work-items.ts';

/** What one sweep covers: each account with the regions to sweep in it (the first also takes the account settings). */
export interface SweepPlan {
  readonly sweepId: string;
  readonly startedAt: string;
  readonly accounts: readonly { readonly accountId: string; readonly regions: readonly string[] }[];
}

export interface SweepProgress {
  readonly bucketsDone: number;
  /** Buckets listed so far (grows while pages are listed). */
  readonly bucketsKnown: number;
  readonly listing: boolean;
}

export interface RunSweepOptions {
  /** Accounts swept at once; within an account, one item at a time (as the queue's message groups do). */
  readonly accountConcurrency: number;
  readonly onProgress?: (progress: SweepProgress) => void;
  /** Where complete account-regions are recorded for drift detection (not on a dry run). */
  readonly history?: SweepHistory;
  /** The controls this sweep enforces (recorded in the history). */
  readonly enforced: readonly ControlId[];
  readonly now: () => Date;
}

/**
 * Runs a whole sweep in this process with the same items and engine the queue's workers use: the CLI's
 * sweep. One account's items run one after another (the per-account cap), accounts side by side.
 */
export async function runSweep(
  engine: SweepEngine,
  plan: SweepPlan,
  options: RunSweepOptions,
): Promise<SweepTally> {
  let bucketsDone = 0;
  let bucketsKnown = 0;
  let listing = plan.accounts.length;
  const report = () => options.onProgress?.({ bucketsDone, bucketsKnown, listing: listing > 0 });

  const sweepAccount = async (account: SweepPlan['accounts'][number]): Promise<SweepTally> => {
    const queue: SweepWorkItem[] = startItems(plan, account);
    let tally = EMPTY_TALLY;
    for (let item = queue.shift(); item; item = queue.shift()) {
      const result = await engine.handle(item);
      for (const child of result.children) if (child.kind === 'buckets') bucketsKnown += child.buckets.length;
      queue.push(...result.children);
      if (item.kind === 'buckets') bucketsDone += item.buckets.length;
      tally = mergeTallies(tally, result.tally);
      report();
    }
    listing -= 1;
    await recordComplete(account, tally);
    report();
    return tally;
  };

  /** An account-region is in the history only when the whole of it was swept without an error. */
  const recordComplete = async (account: SweepPlan['accounts'][number], tally: SweepTally) => {
    if (!options.history) return;
    const failedRegions = new Set(tally.errors.map((error) => error.region));
    const completedAt = options.now().toISOString();
    for (const region of account.regions.filter((name) => !failedRegions.has(name)))
      await options.history.record(
        { accountId: account.accountId, region },
        { sweepId: plan.sweepId, completedAt, enforced: options.enforced },
      );
  };

  report();
  const tallies = await mapWithConcurrency(plan.accounts, options.accountConcurrency, sweepAccount);
  return tallies.reduce(mergeTallies, EMPTY_TALLY);
}
