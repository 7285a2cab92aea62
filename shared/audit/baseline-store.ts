import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '#shared/errors/errors.ts';

/**
 * A bucket's last-known-good policy: the last policy Warden observed and judged compliant. CloudTrail
 * carries only the new policy, so rolling back needs this copy. `policy: null` means "no bucket policy"
 * was the good state (e.g. after DeleteBucketPolicy).
 */
export interface PolicyBaseline {
  /** The policy JSON exactly as GetBucketPolicy returned it, or null for no policy. */
  readonly policy: string | null;
  readonly observedAt: string;
  /** The CloudTrail event whose processing observed it. */
  readonly eventId: string;
}

export interface BaselineReader {
  readPolicy(bucket: string): Promise<PolicyBaseline | undefined>;
}

export interface BaselineStore extends BaselineReader {
  writePolicy(bucket: string, baseline: PolicyBaseline): Promise<void>;
}

/** Kept next to the bucket's audit records: same partition, its own sort key. */
export const baselineKeys = (bucket: string) => ({ pk: `RESOURCE#${bucket}`, sk: 'BASELINE#POLICY' });

export function dynamoBaselineStore(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): BaselineStore {
  return {
    async readPolicy(bucket) {
      const { Item } = await callAws(`reading the policy baseline of bucket ${bucket}`, () =>
        documents.send(
          new GetCommand({ TableName: tableName, Key: baselineKeys(bucket), ConsistentRead: true }),
        ),
      );
      if (!Item) return undefined;
      const policy = Item.policy;
      return {
        policy: typeof policy === 'string' ? policy : null,
        observedAt: String(Item.observedAt),
        eventId: String(Item.eventId),
      };
    },
    async writePolicy(bucket, baseline) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...baselineKeys(bucket), ...baseline },
            // Two functions racing: the later observation wins.
            ConditionExpression: 'attribute_not_exists(observedAt) OR observedAt <= :observedAt',
            ExpressionAttributeValues: { ':observedAt': baseline.observedAt },
          }),
        );
      } catch (error) {
        if ((error as { name?: string } | null)?.name === 'ConditionalCheckFailedException') return;
        await callAws(`recording the policy baseline of bucket ${bucket}`, () => Promise.reject(error));
      }
    },
  };
}
