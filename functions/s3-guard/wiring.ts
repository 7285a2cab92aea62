import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { dynamoFightStore } from '#shared/audit/fight-store.ts';
import { dynamoRemediationJournal } from '#shared/audit/remediation-journal.ts';
import { type AwsTarget, type ClientFactory, clientFactory, type WrapClient } from '#shared/aws/clients.ts';
import { accountOfArn, crossAccountClients, stsAssumeRole } from '#shared/aws/cross-account.ts';
import { type GuardConfig, loadGuardConfig } from '#shared/config/load-config.ts';
import { resourceNames } from '#shared/config/names.ts';
import type { FightState } from '#shared/guard/fight.ts';
import { dynamoOnce } from '#shared/idempotency/idempotency.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { kmsKeyReader, wardenKeyAliasArn } from '#shared/s3/kms-key.ts';
import { findingsForGuard } from '#shared/securityhub/wiring.ts';

export interface WiringOptions {
  /** Endpoint and credentials for every client (tests and the benchmark run in-process against the emulator). */
  readonly aws?: Pick<AwsTarget, 'endpoint' | 'credentials'>;
  /** Runs on every client built (fault injection, call recording). */
  readonly wrapClient?: WrapClient;
}

/**
 * One account's and region's S3 clients and Warden's key there. S3 Control (account-level Block
 * Public Access) and KMS (the key's state, read only for encryption changes and new buckets) are
 * loaded on their first call.
 */
function bucketClients(aws: ClientFactory, kmsKeyArn: string) {
  return {
    s3: aws.make(S3Client, 's3'),
    s3Control: aws.lazy(
      async () => (await import('#shared/aws/on-demand/s3-control.ts')).S3ControlClient,
      's3control',
    ),
    kmsKeys: kmsKeyReader(
      aws.lazy(async () => (await import('#shared/aws/on-demand/kms.ts')).KMSClient, 'kms'),
      kmsKeyArn,
    ),
  };
}

/**
 * s3-guard's clients and adapters, built once per cold start from validated config: the handler,
 * the fault-injection harness and the benchmark all use this, so none of them wires a guard by hand.
 */
export function buildS3GuardDeps(config: GuardConfig, options: WiringOptions = {}) {
  const aws = clientFactory({ region: config.region, ...options.aws }, options.wrapClient);
  const dynamodb = aws.make(DynamoDBClient, 'dynamodb');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  // The function's own account and partition, from its own session ARN (the stack sets it).
  const { accountId: ownAccountId, partition } = accountOfArn(config.ownSessionArns[0] as string);
  const own = bucketClients(aws, config.kmsKeyArn);
  // Elsewhere (another region, a member account) Warden's key is the one its stack there made, by alias.
  const keyAlias = resourceNames().kmsKeyAlias;
  const deployment = config.policy.deployment;
  const clientsFor = crossAccountClients({
    ownAccountId,
    partition,
    memberRoleName: deployment.mode === 'organization' ? deployment.organization.memberRoleName : undefined,
    // STS is loaded on the first member account's event: account mode never needs it.
    assumeRole: stsAssumeRole(
      aws.lazy(async () => (await import('#shared/aws/on-demand/sts.ts')).STSClient, 'sts'),
    ),
    buildClients: ({ accountId, region }, credentials) =>
      accountId === ownAccountId && region === config.region && !credentials
        ? own
        : bucketClients(
            aws.with({ region, credentials }),
            wardenKeyAliasArn(partition, region, accountId, keyAlias),
          ),
    clock: systemClock,
  });
  return {
    config,
    ...own,
    clientsFor,
    // SNS is loaded by the first event that alerts: compliant changes never need it.
    alerts: snsAlertPublisher(
      aws.lazy(async () => (await import('#shared/aws/on-demand/sns.ts')).SNSClient, 'sns'),
      config.alertTopicArn,
    ),
    audit: dynamoAuditLog(documents, config.auditTable),
    baselines: dynamoBaselineStore(documents, config.auditTable),
    journal: dynamoRemediationJournal(documents, config.auditTable, systemClock.now),
    fights: dynamoFightStore<FightState>(documents, config.idempotencyTable, systemClock.now),
    clock: systemClock,
    once: dynamoOnce(dynamodb, config.idempotencyTable, 's3-guard'),
    findings: findingsForGuard(config, aws, documents),
  };
}

/** The handler's runtime: validated config (fail fast), logger and metrics, and the deps above. */
export function createS3GuardRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadGuardConfig(env);
  const { logger, metrics, recorder } = createObservability('s3-guard');
  return { config, logger, metrics, deps: { ...buildS3GuardDeps(config), log: logger, metrics: recorder } };
}
