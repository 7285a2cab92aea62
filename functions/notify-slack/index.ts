import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createNotifySlack } from './notify-slack.ts';
import { createNotifySlackRuntime } from './wiring.ts';

// Cold start: validate config (fail fast) and build clients once; the webhook URL is read on first use.
const { logger, metrics, deps } = createNotifySlackRuntime();
const notify = createNotifySlack(deps);

/**
 * SNS → notify-slack, or SNS → SQS (batched) → notify-slack: alerts and CloudWatch alarms become
 * Block Kit messages, storms become a digest, messages Slack refused for good go to the dead-letter
 * queue, and with SQS only the records Slack did not take are retried.
 */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: unknown, context: Context) =>
    notify(event, {
      remainingTimeMs:
        typeof context?.getRemainingTimeInMillis === 'function'
          ? () => context.getRemainingTimeInMillis()
          : undefined,
    }),
  );
