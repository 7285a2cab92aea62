import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createSweepPlannerRuntime } from './runtime.ts';
import { startSweep } from './sweep-planner.ts';

// Cold start: validate config (fail fast) and build clients once.
const { logger, deps } = createSweepPlannerRuntime();

/** The schedule (and the deployment trigger) → sweep-planner: one sweep's first work items on the queue. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(() => startSweep(deps));
