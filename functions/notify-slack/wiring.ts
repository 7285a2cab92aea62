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
import { secretsManagerWebhookUrl } from './webhook-secret.ts';

/**
 * Real dependencies of notify-slack, built once per cold start. The webhook URL is not read here:
 * the first invocation reads it (so a cold start never fails on an unfilled secret) and caches it.
 */
export function createNotifySlackRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadNotifySlackConfig(env);
  const { logger, metrics, recorder } = createObservability('notify-slack');
  const aws = clientFactory({ region: config.region });
  const deps: NotifySlackDeps = {
    webhookUrl: secretsManagerWebhookUrl(
      aws.make(SecretsManagerClient, 'secretsmanager'),
      config.webhookSecretArn,
    ),
    post: (url, message, options) => postToWebhook(url, message, options),
    deadLetter: sqsDeadLetterSink(aws.make(SQSClient, 'sqs'), config.deadLetterQueueUrl),
    budget: dynamoDbSlackBudget(aws.make(DynamoDBClient, 'dynamodb'), config.idempotencyTable),
    log: logger,
    metrics: recorder,
    clock: systemClock,
  };
  return { config, logger, metrics, deps };
}
