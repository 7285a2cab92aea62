import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from '#shared/aws/client-config.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { loadNotifySlackConfig } from './config.ts';
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
  const target = { region: config.region };
  const secrets = new SecretsManagerClient(clientConfig(target));
  const sqs = new SQSClient(clientConfig(target));
  const dynamodb = new DynamoDBClient(clientConfig(target));
  const deps: NotifySlackDeps = {
    webhookUrl: secretsManagerWebhookUrl(secrets, config.webhookSecretArn),
    post: (url, message, options) => postToWebhook(url, message, options),
    deadLetter: sqsDeadLetterSink(sqs, config.deadLetterQueueUrl),
    budget: dynamoDbSlackBudget(dynamodb, config.idempotencyTable),
    log: logger,
    metrics: recorder,
    clock: systemClock,
  };
  return { config, logger, metrics, deps };
}
