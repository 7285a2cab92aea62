import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientFactory } from '#shared/aws/clients.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { loadNotifySlackConfig } from '#shared/slack/config.ts';
import { sqsDeadLetterSink } from './dead-letter.ts';
import { dynamoDbSlackBudget } from './dynamodb-budget.ts';
import type { NotifySlackDeps } from './notify-slack.ts';
import { postToWebhook } from './webhook-client.ts';
import { dynamoDbWebhookPace, tolerantPace } from './webhook-pace.ts';
import { secretsManagerWebhookUrl } from './webhook-secret.ts';

/**
 * Real dependencies of notify-slack, built once per cold start. The webhook URL is not read here:
 * the first invocation reads it (so a cold start never fails on an unfilled secret) and caches it.
 */
export function createNotifySlackRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadNotifySlackConfig(env);
  const { logger, metrics, recorder } = createObservability('notify-slack');
  const aws = clientFactory({ region: config.region });
  const dynamodb = aws.make(DynamoDBClient, 'dynamodb');
  // Every post and retry takes its turn at the webhook with the other invocation's (webhook-pace.ts).
  const pace = tolerantPace(dynamoDbWebhookPace(dynamodb, config.idempotencyTable), {
    log: logger,
    metrics: recorder,
  });
  const deps: NotifySlackDeps = {
    webhookUrl: secretsManagerWebhookUrl(
      aws.make(SecretsManagerClient, 'secretsmanager'),
      config.webhookSecretArn,
    ),
    post: (url, message, options) => postToWebhook(url, message, { ...options, pace }),
    deadLetter: sqsDeadLetterSink(aws.make(SQSClient, 'sqs'), config.deadLetterQueueUrl),
    budget: dynamoDbSlackBudget(dynamodb, config.idempotencyTable),
    log: logger,
    metrics: recorder,
    clock: systemClock,
    ...(config.dashboardUrl ? { dashboardUrl: config.dashboardUrl } : {}),
  };
  return { config, logger, metrics, deps };
}
