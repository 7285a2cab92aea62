import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { dynamoFightStore } from '#shared/audit/fight-store.ts';
import { clientFactory } from '#shared/aws/clients.ts';
import { accountOfArn } from '#shared/aws/cross-account.ts';
import type { FightState } from '#shared/guard/fight.ts';
import { dynamoOnce, type LambdaOnceWrapper } from '#shared/idempotency/idempotency.ts';
import { createObservability, systemClock } from '#shared/observability/observability.ts';
import { securityHubFindingsFor } from '#shared/securityhub/wiring.ts';
import { rootStsClient, stsAssumeRoot } from './assume-root.ts';
import { rootIamClientFactory } from './root-access-keys.ts';
import type { RootGuardDeps } from './root-guard.ts';
import { loadRootGuardConfig } from './root-guard-config.ts';

/**
 * Real dependencies of root-guard, built once per cold start. The IAM client is not here: it is
 * built per root session from that session's credentials.
 */
export function createRootGuardRuntime(env: NodeJS.ProcessEnv = process.env) {
  const config = loadRootGuardConfig(env);
  const { logger, metrics, recorder } = createObservability('root-guard');
  const aws = clientFactory({ region: config.region });
  const dynamodb = aws.make(DynamoDBClient, 'dynamodb');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const deps: RootGuardDeps & { readonly once: LambdaOnceWrapper } = {
    config,
    // AssumeRoot needs a regional STS endpoint (see assume-root.ts).
    assumeRootCredentials: stsAssumeRoot(rootStsClient(aws.target)),
    rootIam: rootIamClientFactory(config.region),
    alerts: snsAlertPublisher(aws.make(SNSClient, 'sns'), config.alertTopicArn),
    audit: dynamoAuditLog(documents, config.auditTable),
    fights: dynamoFightStore<FightState>(documents, config.idempotencyTable, systemClock.now),
    log: logger,
    metrics: recorder,
    clock: systemClock,
    once: dynamoOnce(dynamodb, config.idempotencyTable, 'root-guard'),
    findings: securityHubFindingsFor({
      policy: config.policy,
      aws,
      documents,
      auditTable: config.auditTable,
      // The alert topic is the hub's own: its ARN names the account and partition findings belong to.
      home: { ...accountOfArn(config.alertTopicArn), region: config.region },
      clock: systemClock,
    }),
  };
  return { config, logger, metrics, deps };
}
