import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws, classifyError } from '#shared/errors/errors.ts';

/**
 * Last-known-good copies of what tamper-guard restores (a key's policy, a trail's event selectors), kept
 * in the audit table beside the resource's audit records. CloudTrail carries only the new value, so a
 * rollback needs Warden's own copy. Each copy belongs to one resource of one account and region.
 */
export interface ResourceBaselineKey {
  readonly kind: 'KEY-POLICY' | 'TRAIL-SELECTORS';
  readonly resource: string;
  readonly accountId: string;
  readonly region: string;
}

export interface ResourceBaseline {
  /** The value as a string (a policy document, or the selectors as JSON). */
  readonly document: string;
  readonly observedAt: string;
  readonly eventId: string;
}

export interface ResourceBaselineStore {
  read(key: ResourceBaselineKey): Promise<ResourceBaseline | undefined>;
  /** Kept only when newer than the stored copy: two functions racing, the later observation wins. */
  write(key: ResourceBaselineKey, baseline: ResourceBaseline): Promise<void>;
}

const itemKey = (key: ResourceBaselineKey) => ({
  pk: `RESOURCE#${key.resource}`,
  sk: `BASELINE#${key.kind}#${key.accountId}#${key.region}`,
});

export function dynamoResourceBaselines(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): ResourceBaselineStore {
  return {
    async read(key) {
      const { Item } = await callAws(`reading the last-known-good copy of ${key.resource}`, () =>
        documents.send(new GetCommand({ TableName: tableName, Key: itemKey(key), ConsistentRead: true })),
      );
      if (typeof Item?.document !== 'string') return undefined;
      return { document: Item.document, observedAt: String(Item.observedAt), eventId: String(Item.eventId) };
    },
    async write(key, baseline) {
      const put = new PutCommand({
        TableName: tableName,
        Item: { ...itemKey(key), ...baseline },
        ConditionExpression: 'attribute_not_exists(observedAt) OR observedAt <= :at',
        ExpressionAttributeValues: { ':at': baseline.observedAt },
      });
      try {
        await documents.send(put);
      } catch (error) {
        if ((error as { name?: string } | null)?.name === 'ConditionalCheckFailedException') return;
        throw classifyError(error, `keeping the last-known-good copy of ${key.resource}`);
      }
    },
  };
}
