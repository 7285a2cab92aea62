import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { rejectInvalidEvent } from '#shared/remediation/reject.ts';
import { createRootGuard } from '#shared/root/root-guard.ts';
import { createRootGuardRuntime } from '#shared/root/root-guard-runtime.ts';

// Cold start: validate config (fail fast) and build clients once.
const { logger, metrics, deps } = createRootGuardRuntime();
const guard = createRootGuard(deps);

/** EventBridge (us-east-1: IAM and sign-in events) → root-guard: root access keys and root sign-ins. */
export const handler = middy()
  .use(injectLambdaContext(logger, { correlationIdPath: 'detail.eventID', resetKeys: true }))
  .use(logMetrics(metrics))
  .use(parser({ schema: CloudTrailEventSchema, safeParse: true }))
  .handler(async (parsed) =>
    parsed.success
      ? guard(normaliseApiCall(parsed.data))
      : rejectInvalidEvent(deps, parsed.error, parsed.originalEvent),
  );
