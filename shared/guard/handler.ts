import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { type ApiCall, normaliseApiCall } from '#shared/events/normalise.ts';
import type { LambdaOnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';
import { rejectInvalidEvent } from './reject.ts';

export interface GuardHandlerRuntime {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly deps: { readonly log: Log; readonly metrics: MetricsRecorder; readonly once: LambdaOnceWrapper };
}

/**
 * The middleware chain every CloudTrail guard shares: correlation id = CloudTrail eventID, EMF
 * metrics flushed per invocation, idempotency told the invocation's deadline, and the event parsed
 * at the edge (a malformed event is rejected and recorded, not retried).
 */
export function guardHandler(runtime: GuardHandlerRuntime, guard: (call: ApiCall) => Promise<GuardResult>) {
  return middy()
    .use(injectLambdaContext(runtime.logger, { correlationIdPath: 'detail.eventID', resetKeys: true }))
    .use(logMetrics(runtime.metrics))
    .use({ before: (request) => runtime.deps.once.registerLambdaContext(request.context) })
    .use(parser({ schema: CloudTrailEventSchema, safeParse: true }))
    .handler(async (parsed) =>
      parsed.success
        ? guard(normaliseApiCall(parsed.data))
        : rejectInvalidEvent(runtime.deps, parsed.error, parsed.originalEvent),
    );
}
