import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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

describe('dynamoDbSlackBudget', () => {
  beforeEach(() => {
    dynamodbMock.reset();
  });

  it("adds the request to the window's counter atomically, with an expiration just after the window", async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { used: { N: '5' } } });

    await budget().take(5, AT);

    expect(dynamodbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { id: { S: 'slack-budget#2026-11-20T10:15:00.000Z' } },
      UpdateExpression: 'ADD #used :wanted SET #expiration = :expiration',
      ExpressionAttributeNames: { '#used': 'used', '#expiration': 'expiration' },
      ExpressionAttributeValues: {
        ':wanted': { N: '5' },
        ':expiration': { N: String(Date.parse('2026-11-20T10:21:00Z') / 1_000) },
      },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('grants all of a request that fits under the limit', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { used: { N: '5' } } });

    const grant = await budget().take(5, AT);

    expect(grant).toEqual({ granted: 5, used: 5, window: '2026-11-20T10:15:00.000Z' });
  });

  it('grants only what is left after other invocations took their share', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { used: { N: '13' } } });

    const grant = await budget().take(5, AT);

    expect(grant.granted).toBe(2);
  });

  it('grants nothing once the window budget is spent', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { used: { N: '25' } } });

    const grant = await budget().take(5, AT);

    expect(grant.granted).toBe(0);
  });

  it('rethrows a DynamoDB failure as a classified error', async () => {
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(budget().take(5, AT)).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('refuses an answer without a count', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: {} });

    await expect(budget().take(5, AT)).rejects.toBeInstanceOf(SlackBudgetError);
  });
});
