import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { alertFor, loadSnsEvent, snsEnvelope, sqsEvent } from './helpers.ts';

const secretsMock = mockClient(SecretsManagerClient);
const sqsMock = mockClient(SQSClient);
const dynamodbMock = mockClient(DynamoDBClient);
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/warden-hub-SlackUndeliveredAlertsQueue-AbC';
const context = {
  functionName: 'warden-notify-slack',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** The real handler module, wired with mocked Secrets Manager and a stubbed fetch (no network). */
describe('notify-slack handler', () => {
  const fetchMock = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('ok'));
  let handler: (event: unknown, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv(
      'WARDEN_SLACK_WEBHOOK_SECRET_ARN',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:warden/slack-webhook-url-AbCdEf',
    );
    vi.stubEnv('WARDEN_SLACK_DEAD_LETTER_QUEUE_URL', DLQ_URL);
    vi.stubEnv('WARDEN_IDEMPOTENCY_TABLE', 'warden-idempotency');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubGlobal('fetch', fetchMock);
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    // The budget item is written; the pace answers with the next free send time (the slot is now).
    dynamodbMock
      .on(UpdateItemCommand)
      .callsFake((input: { ExpressionAttributeValues?: Record<string, { N?: string }> }) => {
        const next = input.ExpressionAttributeValues?.[':next']?.N;
        return { Attributes: next ? { next: { N: next } } : {} };
      });
    ({ handler } = await import('../../../functions/notify-slack/index.ts'));
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    secretsMock.restore();
    sqsMock.restore();
    dynamodbMock.restore();
  });

  it('does not read the secret at import (cold start)', () => {
    expect(secretsMock).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('posts the SNS sample to the webhook from the secret', async () => {
    const response = await handler(loadSnsEvent('alert-s3-remediated.json'), context);

    expect(response).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
    expect(fetchMock.mock.calls[0]?.[0]).toBe(WEBHOOK);
  });

  it('answers an SQS batch with a partial batch response, reusing the cached webhook URL', async () => {
    const response = await handler(sqsEvent([snsEnvelope(alertFor(1)), snsEnvelope(alertFor(2))]), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('takes its individual messages from the budget in the idempotency table of its environment', async () => {
    dynamodbMock.resetHistory();

    await handler(sqsEvent([snsEnvelope(alertFor(3)), snsEnvelope(alertFor(4))]), context);

    expect(dynamodbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'warden-idempotency',
      Key: { id: { S: 'slack-budget#sent' } },
      ExpressionAttributeValues: expect.objectContaining({
        ':sent': { L: [expect.objectContaining({ N: expect.any(String) }), expect.anything()] },
      }),
    });
  });

  it('claims a send slot for the webhook in the idempotency table before each post', async () => {
    dynamodbMock.resetHistory();

    await handler(sqsEvent([snsEnvelope(alertFor(5)), snsEnvelope(alertFor(6))]), context);

    const paceClaims = dynamodbMock
      .commandCalls(UpdateItemCommand)
      .filter((call) => call.args[0].input.Key?.id?.S === 'slack-budget#pace');
    expect(paceClaims).toHaveLength(2);
  });

  it('reads the secret again after Slack says the webhook is gone (it may have been rotated)', async () => {
    fetchMock.mockResolvedValueOnce(new Response('no_service', { status: 404 }));
    await handler(loadSnsEvent('alert-s3-remediated.json'), context);

    await handler(loadSnsEvent('alert-s3-remediated.json'), context);

    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('sends an alert Slack refused for good to the dead-letter queue from its environment', async () => {
    sqsMock.resetHistory();
    fetchMock.mockResolvedValueOnce(new Response('channel_is_archived', { status: 410 }));
    const event = loadSnsEvent('alert-s3-remediated.json');

    await handler(event, context);

    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: DLQ_URL,
      MessageBody: event.Records[0]?.Sns.Message,
    });
  });
});
