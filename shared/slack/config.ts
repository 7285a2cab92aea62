import * as z from 'zod/mini';
import { ENV } from '#shared/config/env-names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { dashboardUrlOf } from '#shared/observability/dashboard-link.ts';

/** notify-slack's own variables, next to the shared ones in `ENV`. */
export const NOTIFY_SLACK_ENV = {
  /** The Slack delivery queue's dead-letter queue: where alerts Slack refused for good are sent. */
  deadLetterQueueUrl: 'WARDEN_SLACK_DEAD_LETTER_QUEUE_URL',
  /** Warden's CloudWatch dashboard in this region: every alert links to it (optional). */
  dashboardName: 'WARDEN_DASHBOARD_NAME',
} as const;

/** What notify-slack needs from its environment, validated once per cold start. */
export interface NotifySlackConfig {
  readonly region: string;
  /** The secret's ARN, never its value: the URL is read at run time and only kept in memory. */
  readonly webhookSecretArn: string;
  readonly deadLetterQueueUrl: string;
  /** The guards' idempotency table, also home of the shared Slack message budget (slack-budget.ts). */
  readonly idempotencyTable: string;
  /** The dashboard's console address, when the stack names one. */
  readonly dashboardUrl?: string;
}

const EnvSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  [ENV.slackWebhookSecretArn]: z
    .string()
    .check(
      z.regex(
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
        'must be a Secrets Manager secret ARN',
      ),
    ),
  [NOTIFY_SLACK_ENV.deadLetterQueueUrl]: z
    .string()
    .check(z.regex(/^https?:\/\/[^\s/]+\/\d{12}\/[^\s/]+$/, 'must be an SQS queue URL')),
  // DynamoDB table names: 3 to 255 of these characters.
  [ENV.idempotencyTable]: z
    .string()
    .check(z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')),
  // CloudWatch dashboard names: up to 255 letters, digits, '-' and '_'.
  [NOTIFY_SLACK_ENV.dashboardName]: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a CloudWatch dashboard name')),
  ),
});

export function loadNotifySlackConfig(env: NodeJS.ProcessEnv = process.env): NotifySlackConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid notify-slack environment:\n${z.prettifyError(parsed.error)}`);
  }
  const dashboardName = parsed.data[NOTIFY_SLACK_ENV.dashboardName];
  return {
    region: parsed.data.AWS_REGION,
    webhookSecretArn: parsed.data[ENV.slackWebhookSecretArn],
    deadLetterQueueUrl: parsed.data[NOTIFY_SLACK_ENV.deadLetterQueueUrl],
    idempotencyTable: parsed.data[ENV.idempotencyTable],
    ...(dashboardName ? { dashboardUrl: dashboardUrlOf(parsed.data.AWS_REGION, dashboardName) } : {}),
  };
}
