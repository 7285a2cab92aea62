import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '#shared/errors/errors.ts';

/**
 * Which controls the last complete sweep of an account and region enforced. A later sweep's repair of such a
 * control means a change the event path never repaired: drift the events missed (a dropped event, a broken
 * forwarder or trail).
 */
export interface SweepHistory {
  previous(where: {
    readonly accountId: string;
    readonly region: string;
  }): Promise<ReadonlySet<string> | undefined>;
  record(
    where: { readonly accountId: string; readonly region: string },
    sweep: { readonly sweepId: string; readonly completedAt: string; readonly enforced: readonly string[] },
  ): Promise<void>;
}

const historyKeys = (where: { readonly accountId: string; readonly region: string }) => ({
  pk: 'SWEEP#HISTORY',
  sk: `${where.accountId}#${where.region}`,
});

/** Kept in the audit table, beside the audit records. */
export function dynamoSweepHistory(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): SweepHistory {
  return {
    async previous(where) {
      const { Item } = await callAws(`reading the sweep history of ${where.accountId} ${where.region}`, () =>
        documents.send(new GetCommand({ TableName: tableName, Key: historyKeys(where) })),
      );
      const enforced = Item?.enforced;
      return Array.isArray(enforced) ? new Set(enforced.map(String)) : undefined;
    },
    async record(where, sweep) {
      await callAws(`recording the sweep of ${where.accountId} ${where.region}`, () =>
        documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...historyKeys(where), ...sweep, enforced: [...sweep.enforced] },
          }),
        ),
      );
    },
  };
}

/** A dry run, or a sweep of an account without Warden: nothing recorded, every repair counted as first seen. */
export function memorySweepHistory(): SweepHistory {
  const sweeps = new Map<string, ReadonlySet<string>>();
  return {
    previous: async (where) => sweeps.get(historyKeys(where).sk),
    record: async (where, sweep) => void sweeps.set(historyKeys(where).sk, new Set(sweep.enforced)),
  };
}
