import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '#shared/errors/errors.ts';
import { FINDING_RETENTION_DAYS, type FindingScope } from './finding.ts';

/**
 * Which findings Warden has imported, so a compliant outcome updates a finding that exists and imports
 * nothing otherwise (Security Hub bills per finding ingested: a PASSED finding for every compliant bucket
 * on every sweep would cost for nothing). One item per finding in the audit table, in a partition of its
 * own per resource (`FINDING#<account>#<region>#<resource>`, sort key the control id), which the
 * functions' IAM grant is pinned to (dynamodb:LeadingKeys `FINDING#*`).
 */

export const FINDING_KEY_PREFIX = 'FINDING#';

export interface LedgerEntry {
  readonly controlId: string;
  readonly findingId: string;
  /** False once Warden imported it as resolved (PASSED). */
  readonly open: boolean;
  /** When Warden first imported it: kept as the finding's CreatedAt. */
  readonly createdAt: string;
}

export interface FindingLedger {
  /** Every finding Warden imported about this resource, by control id. */
  read(scope: FindingScope): Promise<ReadonlyMap<string, LedgerEntry>>;
  /** Records what was imported at `now` (the entry expires when Security Hub drops the finding). */
  mark(scope: FindingScope, entries: readonly LedgerEntry[], now: Date): Promise<void>;
}

export const ledgerPartitionOf = (scope: FindingScope): string =>
  `${FINDING_KEY_PREFIX}${scope.accountId}#${scope.region}#${scope.resource}`;

const isEntry = (item: Record<string, unknown>): boolean =>
  typeof item.controlId === 'string' &&
  typeof item.findingId === 'string' &&
  typeof item.open === 'boolean' &&
  typeof item.createdAt === 'string';

export function dynamoFindingLedger(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): FindingLedger {
  return {
    async read(scope) {
      const pk = ledgerPartitionOf(scope);
      const output = await callAws(`reading the Security Hub findings of ${scope.resource}`, () =>
        documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        ),
      );
      const entries = (output.Items ?? []).filter(isEntry) as unknown as LedgerEntry[];
      return new Map(entries.map((entry) => [entry.controlId, entry]));
    },
    async mark(scope, entries, now) {
      const pk = ledgerPartitionOf(scope);
      const expiresAt = Math.floor(now.getTime() / 1000) + FINDING_RETENTION_DAYS * 24 * 3600;
      await Promise.all(
        entries.map((entry) =>
          callAws(`recording Security Hub finding ${entry.findingId}`, () =>
            documents.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  pk,
                  sk: entry.controlId,
                  controlId: entry.controlId,
                  findingId: entry.findingId,
                  open: entry.open,
                  createdAt: entry.createdAt,
                  updatedAt: now.toISOString(),
                  expiresAt,
                },
              }),
            ),
          ),
        ),
      );
    },
  };
}
