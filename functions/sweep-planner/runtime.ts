import { randomUUID } from 'node:crypto';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { clientFactory } from '#shared/aws/clients.ts';
import { accountOfArn } from '#shared/aws/cross-account.ts';
import { createObservability } from '#shared/observability/observability.ts';
import { loadSweepConfig, sweepAdapters } from '../sweep-worker/runtime.ts';
import { accountsUnder } from './organization-accounts.ts';
import type { SweepPlannerDeps } from './sweep-planner.ts';

/** sweep-planner's runtime: the same validated config as the worker, the ledger, the queue. */
export function createSweepPlannerRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadSweepConfig(env);
  const { logger } = createObservability('sweep-planner');
  // Organizations is a global service served from us-east-1 (aws partition).
  const organizations = clientFactory({ region: 'us-east-1' }).make(OrganizationsClient, 'organizations');
  const { ledger, queue } = sweepAdapters(config);
  const deps: SweepPlannerDeps = {
    policy: config.policy,
    accountId: accountOfArn(config.ownSessionArns[0] as string).accountId,
    region: config.region,
    accountsUnder: (parents) => accountsUnder(organizations, parents),
    ledger,
    queue,
    log: logger,
    now: () => new Date(),
    newId: () => randomUUID().slice(0, 8),
  };
  return { logger, deps };
}
