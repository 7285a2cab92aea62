import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import { dynamoDbSlackBudget } from '../../../functions/notify-slack/dynamodb-budget.ts';
import { SlackBudgetError } from '../../../functions/notify-slack/errors.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const TABLE = 'warden-idempotency';
const AT = new Date('2026-11-20T10:17:42Z');
const limits = { messages: 10, windowMs: 300_000 };

const budget = () => dynamoDbSlackBudget(new DynamoDBClient({ region: 'us-east-1' }), TABLE, limits);

/** DynamoDB's answer when the condition failed: the item as it is (ReturnValuesOnConditionCheckFailure). */
function changedBy(times: readonly string[], version: number) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: {
      id: { S: 'slack-budget#sent' },
      sent: { L: times.map((time) => ({ N: String(Date.parse(time)) })) },
      version: { N: String(version) },
    },
  });
}

describe('dynamoDbSlackBudget', () => {
  beforeEach(() => {
    dynamodbMock.reset();
  });

  it('creates the item with one grant time per message when there is none, in one conditional update', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({});

    const grant = await budget().take(2, AT);

    expect(grant).toEqual({ granted: 2, sent: 0, since: '2026-11-20T10:12:42.000Z' });
    expect(dynamodbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamodbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { id: { S: 'slack-budget#sent' } },
      UpdateExpression: 'SET #sent = :sent, #version = :next, #expiration = :expiration',
      ConditionExpression: 'attribute_not_exists(#version)',
      ExpressionAttributeValues: {
        ':sent': { L: [{ N: String(AT.getTime()) }, { N: String(AT.getTime()) }] },
        ':next': { N: '1' },
        ':expiration': { N: String(Date.parse('2026-11-20T10:23:42Z') / 1_000) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('computes again from the item DynamoDB returns when it exists, dropping grants older than the window', async () => {
    dynamodbMock
      .on(UpdateItemCommand)
      .rejectsOnce(changedBy(['2026-11-20T10:12:00Z', '2026-11-20T10:16:00Z'], 7))
      .resolves({});

    const grant = await budget().take(1, AT);

    expect(grant).toEqual({ granted: 1, sent: 1, since: '2026-11-20T10:12:42.000Z' });
    expect(dynamodbMock).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      ConditionExpression: '#version = :version',
      ExpressionAttributeValues: expect.objectContaining({
        ':sent': { L: [{ N: String(Date.parse('2026-11-20T10:16:00Z')) }, { N: String(AT.getTime()) }] },
        ':version': { N: '7' },
        ':next': { N: '8' },
      }),
    });
  });

  it('grants only what is left of the last five minutes after other invocations took their share', async () => {
    const times = Array.from({ length: 8 }, () => '2026-11-20T10:15:00Z');
    dynamodbMock.on(UpdateItemCommand).rejectsOnce(changedBy(times, 3)).resolves({});

    const grant = await budget().take(5, AT);

    expect(grant.granted).toBe(2);
  });

  it('grants nothing, and writes nothing more, once the last five minutes used the budget', async () => {
    const times = Array.from({ length: 10 }, () => '2026-11-20T10:13:00Z');
    dynamodbMock.on(UpdateItemCommand).rejectsOnce(changedBy(times, 3)).resolves({});

    const grant = await budget().take(5, AT);

    expect(grant).toEqual({ granted: 0, sent: 10, since: '2026-11-20T10:12:42.000Z' });
    expect(dynamodbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  it('gives up after a few rounds when the item keeps changing', async () => {
    dynamodbMock.on(UpdateItemCommand).rejects(changedBy([], 1));

    await expect(budget().take(5, AT)).rejects.toBeInstanceOf(SlackBudgetError);
    expect(dynamodbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 5);
  });

  it('rethrows a DynamoDB failure as a classified error', async () => {
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(budget().take(5, AT)).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('refuses an item without valid grant times', async () => {
    dynamodbMock.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: { id: { S: 'slack-budget#sent' }, sent: { L: [{ S: 'x' }] }, version: { N: '2' } },
      }),
    );

    await expect(budget().take(5, AT)).rejects.toBeInstanceOf(SlackBudgetError);
  });
});
