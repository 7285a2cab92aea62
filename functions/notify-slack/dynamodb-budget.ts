import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { classifyError } from '#shared/errors/errors.ts';
import {
  BUDGET_SENT_KEY,
  type BudgetLimits,
  budgetExpiration,
  budgetSince,
  SLACK_BUDGET,
  type SlackBudget,
  slideBudget,
} from '#shared/slack/slack-budget.ts';
import { SlackBudgetError } from './errors.ts';

/** The grant times (a list of epoch ms), the item's version, and the table's TTL attribute (state-tables.ts). */
const SENT = 'sent';
const VERSION = 'version';
const EXPIRATION = 'expiration';

/** Concurrent invocations each change the item at most once per batch: a few rounds settle any race. */
const MAX_ROUNDS = 5;

interface BudgetItem {
  readonly sent: readonly number[];
  /** 0: no item yet. */
  readonly version: number;
}

const NO_ITEM: BudgetItem = { sent: [], version: 0 };

function readItem(item: Record<string, AttributeValue> | undefined, where: string): BudgetItem {
  if (!item) return NO_ITEM;
  const version = Number(item[VERSION]?.N);
  const sent = (item[SENT]?.L ?? []).map((value) => Number(value.N));
  if (!Number.isSafeInteger(version) || version < 1 || !sent.every(Number.isSafeInteger)) {
    throw new SlackBudgetError(`The Slack message budget ${where} holds no valid grant times`);
  }
  return { sent, version };
}

/**
 * The budget as one item in the idempotency table (partition key `id`): the times of the individual
 * messages granted in the last window (a sliding window log, at most `messages` entries) and a
 * version. Each request rewrites it with one conditional UpdateItem on the version it computed from;
 * when another invocation changed it first, DynamoDB answers with the current item
 * (ReturnValuesOnConditionCheckFailure) and the request is computed again. The first round assumes
 * no item, so a budget costs one UpdateItem when fresh and usually two otherwise; the only permission
 * it needs is dynamodb:UpdateItem on the budget's own keys.
 */
export function dynamoDbSlackBudget(
  client: Pick<DynamoDBClient, 'send'>,
  tableName: string,
  limits: BudgetLimits = SLACK_BUDGET,
): SlackBudget {
  const where = `${BUDGET_SENT_KEY} in ${tableName}`;
  return {
    async take(wanted, at) {
      const since = budgetSince(at, limits);
      let item = NO_ITEM;
      for (let round = 1; round <= MAX_ROUNDS; round++) {
        const { granted, kept, next } = slideBudget(item.sent, at, wanted, limits);
        // The item as read is current (a failed condition returns it): nothing to grant, nothing to write.
        if (granted === 0 && item !== NO_ITEM) return { granted, sent: kept.length, since };
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { id: { S: BUDGET_SENT_KEY } },
              UpdateExpression: 'SET #sent = :sent, #version = :next, #expiration = :expiration',
              ConditionExpression:
                item.version === 0 ? 'attribute_not_exists(#version)' : '#version = :version',
              ExpressionAttributeNames: { '#sent': SENT, '#version': VERSION, '#expiration': EXPIRATION },
              ExpressionAttributeValues: {
                ':sent': { L: next.map((time) => ({ N: String(time) })) },
                ':next': { N: String(item.version + 1) },
                ':expiration': { N: String(budgetExpiration(at, limits)) },
                ...(item.version === 0 ? {} : { ':version': { N: String(item.version) } }),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return { granted, sent: kept.length, since };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) {
            throw classifyError(error, `counting Slack messages in ${where}`);
          }
          item = readItem(error.Item, where);
        }
      }
      throw new SlackBudgetError(
        `The Slack message budget ${where} kept changing under ${MAX_ROUNDS} updates`,
      );
    },
  };
}
