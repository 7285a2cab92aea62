import type { Log } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { SweepLedger } from '#shared/sweep/ledger.ts';
import type { SweepQueue } from '#shared/sweep/queue.ts';
import { startItems } from '#shared/sweep/work-items.ts';

export interface SweepPlannerDeps {
  readonly policy: Policy;
  /** The hub's own account and region. */
  readonly accountId: string;
  readonly region: string;
  /** Organization mode: the active accounts under these OUs. */
  readonly accountsUnder: (parentIds: readonly string[]) => Promise<string[]>;
  readonly ledger: SweepLedger;
  readonly queue: SweepQueue;
  readonly log: Pick<Log, 'info'>;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** Which accounts and regions a sweep covers: this account's watched regions, or every target account's spoke regions. */
export async function planAccounts(deps: SweepPlannerDeps) {
  const { deployment } = deps.policy;
  if (deployment.mode === 'account')
    return [{ accountId: deps.accountId, regions: deployment.regions ?? [deps.region] }];
  const { targetOrganizationalUnitIds, regions } = deployment.organization;
  const accounts = await deps.accountsUnder(targetOrganizationalUnitIds);
  return accounts.map((accountId) => ({ accountId, regions }));
}

/**
 * Starts one sweep: opens its ledger with the count of its first items, then enqueues them (one message
 * group per account). The workers do the rest; the last one sends the digest.
 */
export async function startSweep(deps: SweepPlannerDeps) {
  const startedAt = deps.now().toISOString();
  const sweepId = `${startedAt.slice(0, 10)}-${deps.newId()}`;
  const accounts = await planAccounts(deps);
  const items = accounts.flatMap((account) => startItems({ sweepId, startedAt }, account));
  await deps.ledger.start(
    { sweepId, startedAt, accountId: deps.accountId, region: deps.region, accounts },
    items.length,
  );
  await deps.queue.send(items);
  deps.log.info('Sweep started', { sweepId, accounts: accounts.length, items: items.length });
  return { sweepId, accounts: accounts.length, items: items.length };
}
