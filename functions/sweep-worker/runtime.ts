import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { clientFactory } from '#shared/aws/clients.ts';
import { ENV } from '#shared/config/env-names.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { createObservability } from '#shared/observability/observability.ts';
import { dynamoSweepLedger } from '#shared/sweep/ledger.ts';
import { sqsSweepQueue } from '#shared/sweep/queue.ts';
import type { SweepMetrics } from './sweep-worker.ts';
import { buildSweepEngine } from './wiring.ts';

/** Both sweep functions: the guards' configuration and the sweep queue, validated at cold start. */
export function loadSweepConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadGuardConfig(env);
  const queueUrl = z.url().safeParse(env[ENV.sweepQueueUrl]);
  if (!queueUrl.success) throw new ConfigError(`${ENV.sweepQueueUrl} must be the sweep queue's URL`);
  return { ...config, sweepQueueUrl: queueUrl.data };
}

/** The sweep's shared adapters: ledger and history in the audit table, the queue, the alert topic. */
export function sweepAdapters(config: ReturnType<typeof loadSweepConfig>) {
  const aws = clientFactory({ region: config.region });
  const documents = DynamoDBDocumentClient.from(aws.make(DynamoDBClient, 'dynamodb'));
  return {
    ledger: dynamoSweepLedger(documents, config.auditTable),
    queue: sqsSweepQueue(aws.make(SQSClient, 'sqs'), config.sweepQueueUrl),
    alerts: snsAlertPublisher(aws.make(SNSClient, 'sns'), config.alertTopicArn),
  };
}

/** sweep-worker's runtime: config (fail fast), logger and metrics, the engine and the adapters. */
export function createSweepWorkerRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadSweepConfig(env);
  const { logger, metrics, recorder } = createObservability('sweep-worker');
  const { engine, history, enforced } = buildSweepEngine(config, {
    log: logger,
    metrics: recorder,
    bucketConcurrency: config.policy.sweep.bucketsInParallel,
  });
  const sweepMetrics: SweepMetrics = {
    sweepCompleted(values) {
      metrics.addMetric('SweepResourcesChecked', MetricUnit.Count, values.resourcesChecked);
      metrics.addMetric('SweepRepairs', MetricUnit.Count, values.repairs);
      metrics.addMetric('SweepFindings', MetricUnit.Count, values.findings);
      metrics.addMetric('SweepFailures', MetricUnit.Count, values.failures);
      metrics.addMetric('SweepDurationMs', MetricUnit.Milliseconds, values.durationMs);
      metrics.addMetric('SweepDrift', MetricUnit.Count, values.drift);
    },
  };
  const deps = {
    ...sweepAdapters(config),
    engine,
    history,
    enforced,
    policy: config.policy,
    metrics: sweepMetrics,
    log: logger,
    now: () => new Date(),
    rejected: (reason: string) => {
      logger.error('Sweep item rejected', { reason });
      recorder.count('EventsRejected');
    },
  };
  return { logger, metrics, deps };
}
