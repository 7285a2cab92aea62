import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoFightStore } from '#shared/audit/fight-store.ts';
import { dynamoRemediationJournal } from '#shared/audit/remediation-journal.ts';
import { dynamoResourceBaselines } from '#shared/audit/resource-baselines.ts';
import { type AwsTarget, type ClientFactory, clientFactory, type WrapClient } from '#shared/aws/clients.ts';
import { memberAccountClients } from '#shared/aws/member-clients.ts';
import { type GuardConfig, loadGuardConfig } from '#shared/config/load-config.ts';
import { resourceNames } from '#shared/config/names.ts';
import type { FightState } from '#shared/guard/fight.ts';
import { dynamoOnce } from '#shared/idempotency/idempotency.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { findingsForGuard } from '#shared/securityhub/wiring.ts';
import type { TamperGuardDeps } from './tamper-guard.ts';
import type { TamperClients } from './targets.ts';

export interface TamperWiringOptions {
  /** Endpoint and credentials for every client (tests run in-process against the emulator). */
  readonly aws?: Pick<AwsTarget, 'endpoint' | 'credentials'>;
  readonly wrapClient?: WrapClient;
}

/** One account's and region's KMS, S3 (which buckets use a key), CloudTrail and EventBridge clients. */
const tamperClients = (aws: ClientFactory): TamperClients => ({
  kms: aws.make(KMSClient, 'kms'),
  s3: aws.make(S3Client, 's3'),
  cloudTrail: aws.make(CloudTrailClient, 'cloudtrail'),
  events: aws.make(EventBridgeClient, 'events'),
});

/** tamper-guard's clients and adapters, built once per cold start from validated config. */
export function buildTamperGuardDeps(config: GuardConfig, options: TamperWiringOptions = {}) {
  const aws = clientFactory({ region: config.region, ...options.aws }, options.wrapClient);
  const dynamodb = aws.make(DynamoDBClient, 'dynamodb');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const clientsFor = memberAccountClients(aws, config, systemClock, tamperClients);
  return {
    config,
    names: resourceNames(),
    clientsFor,
    alerts: snsAlertPublisher(aws.make(SNSClient, 'sns'), config.alertTopicArn),
    audit: dynamoAuditLog(documents, config.auditTable),
    baselines: dynamoResourceBaselines(documents, config.auditTable),
    journal: dynamoRemediationJournal(documents, config.auditTable, systemClock.now),
    // Never fight forever: a key deletion or stopped trail re-applied again and again (shared/guard/fight.ts).
    fights: dynamoFightStore<FightState>(documents, config.idempotencyTable, systemClock.now),
    clock: systemClock,
    once: dynamoOnce(dynamodb, config.idempotencyTable, 'tamper-guard'),
    findings: findingsForGuard(config, aws, documents),
  } satisfies Omit<TamperGuardDeps, 'log' | 'metrics'> & Record<string, unknown>;
}

/** The handler's runtime: validated config (fail fast), logger and metrics, and the deps above. */
export function createTamperGuardRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadGuardConfig(env);
  const { logger, metrics, recorder } = createObservability('tamper-guard');
  return {
    config,
    logger,
    metrics,
    deps: { ...buildTamperGuardDeps(config), log: logger, metrics: recorder },
  };
}
