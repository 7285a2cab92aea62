import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createSweepWorkerRuntime } from './runtime.ts';
import { processSweepRecords } from './sweep-worker.ts';

// Cold start: validate config (fail fast) and build clients once.
const { logger, metrics, deps } = createSweepWorkerRuntime();

/** SQS FIFO (one message group per account) → sweep-worker: one work item of a sweep per record. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event: unknown) => processSweepRecords(deps, event));
