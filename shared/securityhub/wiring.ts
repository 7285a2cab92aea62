import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientFactory } from '#shared/aws/clients.ts';
import { accountOfArn } from '#shared/aws/cross-account.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { type Clock, systemClock } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { FindingsHome } from './finding.ts';
import { dynamoFindingLedger } from './finding-ledger.ts';
import { type FindingsReporter, securityHubFindingsReporter } from './findings-reporter.ts';
import { securityHubImporter } from './importer.ts';

/**
 * The guards' Security Hub hook, or undefined when the policy leaves Security Hub off (the default). The
 * client is loaded on the first import: an event with nothing to import never loads the Security Hub SDK.
 * Every guard that runs the pipeline (s3-guard, root-guard, tamper-guard, the sweep) wires it the same way.
 */
export function securityHubFindingsFor(options: {
  readonly policy: Pick<Policy, 'securityHub'>;
  readonly aws: ClientFactory;
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  readonly auditTable: string;
  /** The function's own account and partition, and its region: where findings are imported. */
  readonly home: FindingsHome;
  readonly clock: Clock;
}): FindingsReporter | undefined {
  if (!options.policy.securityHub.enabled) return undefined;
  const client = options.aws.lazy(
    async () => (await import('#shared/aws/on-demand/securityhub.ts')).SecurityHubClient,
    'securityhub',
  );
  return securityHubFindingsReporter({
    home: options.home,
    importFindings: securityHubImporter(client),
    ledger: dynamoFindingLedger(options.documents, options.auditTable),
    clock: options.clock,
  });
}

/**
 * The hook of a guard configured from the stack's guard environment (s3-guard, tamper-guard, and so the
 * sweep worker): findings go to its own account (from its session ARN) and region.
 */
export const findingsForGuard = (
  config: Pick<GuardConfig, 'policy' | 'auditTable' | 'region' | 'ownSessionArns'>,
  aws: ClientFactory,
  documents: Pick<DynamoDBDocumentClient, 'send'>,
): FindingsReporter | undefined =>
  securityHubFindingsFor({
    policy: config.policy,
    aws,
    documents,
    auditTable: config.auditTable,
    home: { ...accountOfArn(config.ownSessionArns[0] as string), region: config.region },
    clock: systemClock,
  });
