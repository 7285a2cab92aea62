import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '#shared/errors/errors.ts';
import type { PolicyBaseline } from '#shared/model/bucket.ts';

/**
 * Whose baseline: bucket names are global and reusable, so a baseline belongs to one bucket of one
 * account in one region, and never comes back to a bucket of the same name elsewhere.
 */
export interface BaselineKey {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
}

/** Why a baseline ends (the bucket was created anew or deleted), and when Warden saw it. */
export interface BaselineEnd {
  readonly observedAt: string;
  readonly eventId: string;
  readonly reason: string;
}

export interface BaselineReader {
  readPolicy(key: BaselineKey): Promise<PolicyBaseline | undefined>;
}

export interface BaselineStore extends BaselineReader {
  writePolicy(key: BaselineKey, baseline: PolicyBaseline): Promise<void>;
  /** A bucket created or deleted under this name: what Warden knew of the old one must not apply to it. */
  endPolicy(key: BaselineKey, end: BaselineEnd): Promise<void>;
}

/** Kept next to the bucket's audit records: same partition, a sort key per account and region. */
export const baselineKeys = (key: BaselineKey) => ({
  pk: `RESOURCE#${key.bucket}`,
  sk: `BASELINE#POLICY#${key.accountId}#${key.region}`,
});

export function dynamoBaselineStore(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): BaselineStore {
  /** Two functions racing: the later observation wins (an end is an observation too). */
  async function putLatest(key: BaselineKey, item: Record<string, unknown> & { observedAt: string }) {
    try {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...baselineKeys(key), ...item },
          ConditionExpression: 'attribute_not_exists(observedAt) OR observedAt <= :observedAt',
          ExpressionAttributeValues: { ':observedAt': item.observedAt },
        }),
      );
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'ConditionalCheckFailedException') return;
      await callAws(`recording the policy baseline of bucket ${key.bucket}`, () => Promise.reject(error));
    }
  }

  return {
    async readPolicy(key) {
      const { Item } = await callAws(`reading the policy baseline of bucket ${key.bucket}`, () =>
        documents.send(
          new GetCommand({ TableName: tableName, Key: baselineKeys(key), ConsistentRead: true }),
        ),
      );
      if (!Item || Item.endedBecause !== undefined) return undefined;
      const policy = Item.policy;
      return {
        policy: typeof policy === 'string' ? policy : null,
        observedAt: String(Item.observedAt),
        eventId: String(Item.eventId),
      };
    },
    writePolicy: (key, baseline) => putLatest(key, { ...baseline }),
    // A tombstone rather than a delete: the guards' role has no DeleteItem on the audit table.
    endPolicy: (key, end) =>
      putLatest(key, { observedAt: end.observedAt, eventId: end.eventId, endedBecause: end.reason }),
  };
}
