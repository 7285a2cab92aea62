import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { rejectInvalidEvent } from '#shared/remediation/reject.ts';
import { createS3Guard } from '#shared/remediation/s3-guard.ts';
import { createBucketGuardRuntime } from '#shared/runtime/guard-runtime.ts';

// Cold start: validate config (fail fast) and build clients once.
const { logger, metrics, deps } = createBucketGuardRuntime('s3-guard');
const guard = createS3Guard(deps);

/** EventBridge → s3-guard: parse at the edge, reject malformed events, remediate the rest. */
export const handler = middy()
  .use(injectLambdaContext(logger, { correlationIdPath: 'detail.eventID', resetKeys: true }))
  .use(logMetrics(metrics))
  .use(parser({ schema: CloudTrailEventSchema, safeParse: true }))
  .handler(async (parsed) =>
    parsed.success
      ? guard(normaliseApiCall(parsed.data))
      : rejectInvalidEvent(deps, parsed.error, parsed.originalEvent),
  );
