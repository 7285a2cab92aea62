import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { callAws } from '#shared/errors/errors.ts';
import {
  type BudgetLimits,
  budgetExpiration,
  budgetKey,
  budgetWindow,
  grantOf,
  SLACK_BUDGET,
  type SlackBudget,
} from '#shared/slack/slack-budget.ts';
import { SlackBudgetError } from './errors.ts';

/** Attribute holding the window's count; `expiration` is the table's TTL attribute (state-tables.ts). */
const USED = 'used';
const EXPIRATION = 'expiration';

/**
 * The budget as one counter item per window in the idempotency table (partition key `id`), added
 * to with one atomic UpdateItem (ADD): no read-then-write race between concurrent invocations, and
 * the only permission it needs is dynamodb:UpdateItem.
 */
export function dynamoDbSlackBudget(
  client: Pick<DynamoDBClient, 'send'>,
  tableName: string,
  limits: BudgetLimits = SLACK_BUDGET,
): SlackBudget {
  return {
    async take(wanted, at) {
      const window = budgetWindow(at, limits.windowMs);
      const key = budgetKey(window);
      const output = await callAws(`counting Slack messages in ${tableName} (${key})`, () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { id: { S: key } },
            UpdateExpression: 'ADD #used :wanted SET #expiration = :expiration',
            ExpressionAttributeNames: { '#used': USED, '#expiration': EXPIRATION },
            ExpressionAttributeValues: {
              ':wanted': { N: String(wanted) },
              ':expiration': { N: String(budgetExpiration(window)) },
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      const used = Number(output.Attributes?.[USED]?.N);
      if (!Number.isSafeInteger(used) || used < wanted) {
        throw new SlackBudgetError(`The Slack message budget ${key} in ${tableName} returned no valid count`);
      }
      return { granted: grantOf(used, wanted, limits.messages), window: window.start.toISOString(), used };
    },
  };
}
