import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { dynamoRemediationJournal } from '#shared/audit/remediation-journal.ts';
import {
  type AwsTarget,
  clientConfig,
  s3ClientConfig,
  s3ControlClientConfig,
} from '#shared/aws/client-config.ts';
import { accountOfArn, crossAccountClients, stsAssumeRole } from '#shared/aws/cross-account.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import { type FunctionName, resourceNames } from '#shared/config/names.ts';
import { dynamoOnce } from '#shared/idempotency/idempotency.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { kmsKeyReader, wardenKeyAliasArn } from '#shared/s3/kms-key.ts';

const s3ClientsFor = (target: AwsTarget) => ({
  s3: new S3Client(s3ClientConfig(target)),
  s3Control: new S3ControlClient(s3ControlClientConfig(target)),
});

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
  // The function's own account and partition, from its own session ARN (the stack sets it).
  const { accountId: ownAccountId, partition } = accountOfArn(config.ownSessionArns[0] as string);
  const own = {
    ...s3ClientsFor(target),
    kmsKeys: kmsKeyReader(new KMSClient(clientConfig(target)), config.kmsKeyArn),
  };
  // Elsewhere (another region, a member account) Warden's key is the one its stack there made, by alias.
  const keyAlias = resourceNames().kmsKeyAlias;
  const deployment = config.policy.deployment;
  const clientsFor = crossAccountClients({
    ownAccountId,
    partition,
    memberRoleName: deployment.mode === 'organization' ? deployment.organization.memberRoleName : undefined,
    assumeRole: stsAssumeRole(new STSClient(clientConfig(target))),
    buildClients: ({ accountId, region }, credentials) =>
      accountId === ownAccountId && region === config.region && !credentials
        ? own
        : {
            ...s3ClientsFor({ region, credentials }),
            kmsKeys: kmsKeyReader(
              new KMSClient(clientConfig({ region, credentials })),
              wardenKeyAliasArn(partition, region, accountId, keyAlias),
            ),
          },
    clock: systemClock,
  });
  return {
    config,
    logger,
    metrics,
    deps: {
      config,
      ...own,
      clientsFor,
      alerts: snsAlertPublisher(new SNSClient(clientConfig(target)), config.alertTopicArn),
      audit: dynamoAuditLog(documents, config.auditTable),
      baselines: dynamoBaselineStore(documents, config.auditTable),
      journal: dynamoRemediationJournal(documents, config.auditTable, systemClock.now),
      log: logger,
      metrics: recorder,
      clock: systemClock,
      once: dynamoOnce(dynamodb, config.idempotencyTable, functionName),
    },
  };
}
