import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ACTION_PREFIX, auditKeys } from '#shared/audit/audit-log.ts';

/** How many audit records Warden has written for a resource (the partition key the audit log uses). */
export async function countAuditRecords(
  dynamodb: DynamoDBClient,
  tableName: string,
  resource: string,
): Promise<number> {
  const { pk } = auditKeys({ resource, time: '', actionId: '' });
  let count = 0;
  let startKey: QueryCommand['input']['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :action)',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':action': { S: ACTION_PREFIX } },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}
