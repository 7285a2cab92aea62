import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { clientConfig, s3ClientConfig, s3ControlClientConfig } from '#shared/aws/client-config.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import type { FunctionName } from '#shared/config/names.ts';
import { dynamoOnce } from '#shared/idempotency/idempotency.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { kmsKeyReader } from '#shared/s3/kms-key.ts';

/**
 * Real dependencies of a bucket guard, built once per cold start: validated config, stateless
 * clients, logger and metrics. Nothing per-request lives here.
 */
export function createBucketGuardRuntime(functionName: FunctionName, env: NodeJS.ProcessEnv = process.env) {
  const config = loadGuardConfig(env);
  const { logger, metrics, recorder } = createObservability(functionName);
  const target = { region: config.region };
  const dynamodb = new DynamoDBClient(clientConfig(target));
  const documents = DynamoDBDocumentClient.from(dynamodb);
  return {
    config,
    logger,
    metrics,
    deps: {
      config,
      s3: new S3Client(s3ClientConfig(target)),
      s3Control: new S3ControlClient(s3ControlClientConfig(target)),
      kmsKeys: kmsKeyReader(new KMSClient(clientConfig(target)), config.kmsKeyArn),
      alerts: snsAlertPublisher(new SNSClient(clientConfig(target)), config.alertTopicArn),
      audit: dynamoAuditLog(documents, config.auditTable),
      baselines: dynamoBaselineStore(documents, config.auditTable),
      log: logger,
      metrics: recorder,
      clock: systemClock,
      once: dynamoOnce(dynamodb, config.idempotencyTable, functionName),
    },
  };
}
