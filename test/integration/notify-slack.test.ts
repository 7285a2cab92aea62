import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { WardenMetric } from '#shared/observability/observability.ts';
import { SLACK_BUDGET, type SlackBudget } from '#shared/slack/slack-budget.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { ensureBundle } from '../../cli/local/invoke.ts';
import { sqsDeadLetterSink } from '../../functions/notify-slack/dead-letter.ts';
import { dynamoDbSlackBudget } from '../../functions/notify-slack/dynamodb-budget.ts';
import { PermanentDeliveryError } from '../../functions/notify-slack/errors.ts';
import { createNotifySlack } from '../../functions/notify-slack/notify-slack.ts';
import { toSlackMessage } from '../../functions/notify-slack/slack-messages.ts';
import { type PostOptions, postToWebhook } from '../../functions/notify-slack/webhook-client.ts';
import { dynamoDbWebhookPace, SLACK_PACE_MS } from '../../functions/notify-slack/webhook-pace.ts';
import { type FakeSlackServer, reply, startFakeSlackServer } from '../support/fake-slack-server.ts';
import { makeClients } from '../support/local-env.ts';
import { alertFor, loadSnsEvent, sampleAlert, snsEnvelope, sqsEvent } from '../unit/slack/helpers.ts';

/** A dead-letter queue of its own for one test, in the emulator. */
async function createDeadLetterQueue(sqs: SQSClient): Promise<string> {
  const name = `warden-test-slack-dlq-${randomBytes(4).toString('hex')}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}

/**
 * A table shaped like the idempotency table (partition key `id`) for one test: the message budget
 * of one test is not spent by another, nor by other tests posting through local mode.
 */
async function createBudgetTable(dynamodb: DynamoDBClient): Promise<string> {
  const name = `warden-test-budget-${randomBytes(4).toString('hex')}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return name;
}

/** Everything waiting in the queue (it is not deleted: each test has its own queue). */
async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/**
 * notify-slack over real HTTP against a local server that answers like a Slack incoming webhook.
 * Waits go through an injected sleep (asserted by value, never by wall time); the only real timer
 * is the client's request timeout against a response the server holds far longer.
 */
describe('notify-slack against a Slack-like server', () => {
  let slack: FakeSlackServer;
  let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;
  let options: PostOptions;

  beforeEach(async () => {
    slack = await startFakeSlackServer();
    sleep = vi.fn(async (_ms: number) => {});
    options = { sleep, random: () => 0.5, timeoutMs: 2_000 };
  });

  afterEach(async () => {
    await slack.close();
  });

  it('delivers a Block Kit message that Slack answers with 200 ok', async () => {
    const message = toSlackMessage(sampleAlert());

    const delivery = await postToWebhook(slack.url, message, options);

    expect(delivery).toEqual({ attempts: 1 });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]).toMatchObject({ method: 'POST', payload: message });
    expect(slack.received[0]?.contentType).toMatch(/^application\/json/);
  });

  it('honours Retry-After on 429, then delivers', async () => {
    slack.script(reply.rateLimited(3), reply.ok());

    const delivery = await postToWebhook(slack.url, toSlackMessage(sampleAlert()), options);

    expect(delivery).toEqual({ attempts: 2 });
    expect(sleep.mock.calls).toEqual([[3_000]]);
    expect(slack.received).toHaveLength(2);
  });

  it('treats 404 no_service as permanent: one request, no retry', async () => {
    slack.script(reply.noService());

    const error = await postToWebhook(slack.url, toSlackMessage(sampleAlert()), options).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ status: 404, slackError: 'no_service' });
    expect(slack.received).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('treats 400 invalid_blocks as permanent: one request, no retry', async () => {
    slack.script(reply.invalidBlocks());

    const error = await postToWebhook(slack.url, toSlackMessage(sampleAlert()), options).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ status: 400, slackError: 'invalid_blocks', retryable: false });
    expect(slack.received).toHaveLength(1);
  });

  it('retries a 500 with backoff, then delivers', async () => {
    slack.script(reply.serverError(), reply.ok());

    const delivery = await postToWebhook(slack.url, toSlackMessage(sampleAlert()), options);

    expect(delivery).toEqual({ attempts: 2 });
    expect(sleep.mock.calls).toEqual([[250]]);
  });

  it('times out a response that does not come, then retries', async () => {
    slack.script(reply.slow(60_000), reply.ok());

    const delivery = await postToWebhook(slack.url, toSlackMessage(sampleAlert()), {
      ...options,
      timeoutMs: 300,
    });

    expect(delivery).toEqual({ attempts: 2 });
    expect(slack.received).toHaveLength(2);
    expect(sleep).toHaveBeenCalledOnce();
  });

  it('never shows the webhook path in errors', async () => {
    slack.script(reply.archived());
    const secretPath = new URL(slack.url).pathname;

    const error = (await postToWebhook(slack.url, { text: 'x' }, options).catch((e: unknown) => e)) as Error;

    expect(error.message).toBe('Slack refused the message: 410 channel_is_archived');
    expect(error.message).not.toContain(secretPath);
  });

  describe('the use case end to end', () => {
    const { sqs, dynamodb } = makeClients();
    let deadLetterQueueUrl: string;
    let budgetTable: string;

    beforeEach(async () => {
      deadLetterQueueUrl = await createDeadLetterQueue(sqs);
      budgetTable = await createBudgetTable(dynamodb);
    });

    afterEach(async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: deadLetterQueueUrl }));
      await dynamodb.send(new DeleteTableCommand({ TableName: budgetTable }));
    });

    const setup = (
      budget: SlackBudget = dynamoDbSlackBudget(dynamodb, budgetTable),
      maxIndividual?: number,
    ) => {
      const counted: WardenMetric[] = [];
      const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const notify = createNotifySlack({
        webhookUrl: { get: async () => slack.url, forget: () => {} },
        post: (url, message, postOptions) => postToWebhook(url, message, { ...options, ...postOptions }),
        deadLetter: sqsDeadLetterSink(sqs, deadLetterQueueUrl),
        budget,
        log,
        metrics: { count: (name) => counted.push(name) },
        clock: { now: () => new Date() },
        ...(maxIndividual !== undefined ? { maxIndividual } : {}),
      });
      return { notify, counted, log };
    };
    const texts = () => slack.received.map((r) => (r.payload as { text?: string }).text);

    it('posts the alert of the sample SNS event', async () => {
      const { notify } = setup();

      await notify(loadSnsEvent('alert-s3-remediated.json'));

      expect(slack.received.map((r) => (r.payload as { text?: string }).text)).toEqual([
        expect.stringContaining('HIGH: Warden repaired example-bucket'),
      ]);
    });

    it('sends a storm of 200 alerts as 5 messages and one digest', async () => {
      const { notify } = setup();
      const event = sqsEvent(Array.from({ length: 200 }, (_, i) => snsEnvelope(alertFor(i))));

      const response = await notify(event);

      expect(response).toEqual({ batchItemFailures: [] });
      expect(slack.received).toHaveLength(6);
      expect((slack.received[5]?.payload as { text?: string } | undefined)?.text).toBe(
        'Warden digest: 195 alerts (worst HIGH) of 200 raised together',
      );
    });

    it('sends the second storm batch only as a digest once the first spent the budget in DynamoDB', async () => {
      const at = new Date();
      const inDynamoDb = dynamoDbSlackBudget(dynamodb, budgetTable);
      const sameTime: SlackBudget = { take: (wanted) => inDynamoDb.take(wanted, at) };
      const { notify } = setup(sameTime, SLACK_BUDGET.messages);
      const batch = (from: number) =>
        sqsEvent(Array.from({ length: 50 }, (_, i) => snsEnvelope(alertFor(from + i))));
      await notify(batch(0));
      const first = texts();

      const response = await notify(batch(50));

      expect(first).toHaveLength(SLACK_BUDGET.messages + 1);
      expect(response).toEqual({ batchItemFailures: [] });
      expect(texts().slice(first.length)).toEqual([
        'Warden digest: 50 alerts (worst HIGH) of 50 raised together',
      ]);
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: budgetTable, Key: { id: { S: 'slack-budget#sent' } } }),
      );
      expect(Item?.sent?.L).toEqual(
        Array.from({ length: SLACK_BUDGET.messages }, () => ({ N: String(at.getTime()) })),
      );
    });

    it('holds one budget over a storm that straddles a 5-minute boundary, paced one post a slot (fake clock)', async () => {
      // Virtual time: the use case's clock, the client's clock and its waits (no real timer).
      let now = Date.parse('2026-11-20T10:19:20Z');
      const posted: number[] = [];
      const counted: WardenMetric[] = [];
      const pace = dynamoDbWebhookPace(dynamodb, budgetTable);
      const notify = createNotifySlack({
        webhookUrl: { get: async () => slack.url, forget: () => {} },
        post: (url, message, postOptions) =>
          postToWebhook(url, message, {
            ...options,
            ...postOptions,
            pace,
            now: () => now,
            sleep: async (ms) => {
              now += ms;
            },
            fetch: async (input, init) => {
              posted.push(now);
              return fetch(input, init);
            },
          }),
        deadLetter: sqsDeadLetterSink(sqs, deadLetterQueueUrl),
        budget: dynamoDbSlackBudget(dynamodb, budgetTable),
        log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
        metrics: { count: (name) => counted.push(name) },
        clock: { now: () => new Date(now) },
      });
      const batchTimes = ['10:19:20', '10:19:40', '10:20:00', '10:20:20', '10:20:40'];

      const responses = [];
      for (const [index, time] of batchTimes.entries()) {
        now = Math.max(now, Date.parse(`2026-11-20T${time}Z`));
        const batch = sqsEvent(Array.from({ length: 50 }, (_, i) => snsEnvelope(alertFor(index * 50 + i))));
        responses.push(await notify(batch, { remainingTimeMs: () => 60_000 }));
      }

      expect(responses).toEqual(batchTimes.map(() => ({ batchItemFailures: [] })));
      const digests = texts().filter((text) => text?.startsWith('Warden digest'));
      expect(digests).toHaveLength(batchTimes.length);
      expect(texts().length - digests.length).toBe(SLACK_BUDGET.messages);
      expect(counted).not.toContain('SlackBudgetUnavailable');
      const gaps = posted.slice(1).map((time, i) => time - (posted[i] ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SLACK_PACE_MS);
    });

    it('gives two concurrent claims on the webhook pace in DynamoDB two slots one interval apart', async () => {
      const pace = dynamoDbWebhookPace(dynamodb, budgetTable);
      const at = Date.parse('2026-11-20T10:15:00Z');

      const slots = await Promise.all([pace.claim(at, at + 60_000), pace.claim(at, at + 60_000)]);

      expect(slots.sort()).toEqual([at, at + SLACK_PACE_MS]);
    });

    it('falls back to the per-batch plan when the budget table is missing, and counts it', async () => {
      const { notify, counted, log } = setup(dynamoDbSlackBudget(dynamodb, `${budgetTable}-missing`));

      const response = await notify(sqsEvent(Array.from({ length: 20 }, (_, i) => snsEnvelope(alertFor(i)))));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(slack.received).toHaveLength(6);
      expect(counted).toContain('SlackBudgetUnavailable');
      expect(log.warn).toHaveBeenCalledWith(
        'Slack message budget unavailable, using the per-batch limit',
        expect.objectContaining({ error: expect.stringContaining('ResourceNotFoundException') }),
      );
    });

    it('returns the records Slack did not take when it stays down, and counts refusals', async () => {
      const { notify, counted } = setup();
      slack.script(reply.archived(), ...Array.from({ length: 4 }, () => reply.serverError()));
      const event = sqsEvent([1, 2, 3].map((i) => snsEnvelope(alertFor(i))));

      const response = await notify(event);

      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'msg-1' }, { itemIdentifier: 'msg-2' }],
      });
      expect(counted).toEqual(['SlackDeliveryPermanentFailures', 'SlackDeliveryFailures']);
      expect(slack.received).toHaveLength(5);
    });

    it('puts an alert Slack refused for good in the dead-letter queue with its original body', async () => {
      const { notify } = setup();
      slack.script(reply.archived());
      const body = snsEnvelope(alertFor(1));

      const response = await notify(sqsEvent([body]));

      expect(response).toEqual({ batchItemFailures: [] });
      const [dead, ...others] = await receiveAll(sqs, deadLetterQueueUrl);
      expect(others).toEqual([]);
      expect(dead?.Body).toBe(body);
      expect(dead?.MessageAttributes?.wardenFailure?.StringValue).toBe(
        'Slack refused the message: 410 channel_is_archived',
      );
    });

    it('posts the sample CloudWatch alarm', async () => {
      const { notify } = setup();

      const response = await notify(loadSnsEvent('cloudwatch-alarm.json'));

      expect(response).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
      expect((slack.received[0]?.payload as { text?: string } | undefined)?.text).toBe(
        'ALARM: CloudWatch alarm warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y ' +
          'in account 123456789012, us-east-1',
      );
    });
  });

  describe('the built bundle, with the webhook secret in the emulator', () => {
    const context = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

    const { sqs, dynamodb } = makeClients();
    let secretName: string;
    let secretArn: string;
    let deadLetterQueueUrl: string;
    let budgetTable: string;
    const secrets = () => {
      const config = inject('localConfig');
      return new SecretsManagerClient({
        region: config.region,
        endpoint: config.endpoint,
        credentials: localCredentials(),
      });
    };

    beforeEach(async () => {
      secretName = `warden-test/slack-webhook-${randomBytes(4).toString('hex')}`;
      const { ARN } = await secrets().send(
        new CreateSecretCommand({ Name: secretName, SecretString: slack.url }),
      );
      secretArn = ARN ?? '';
      deadLetterQueueUrl = await createDeadLetterQueue(sqs);
      budgetTable = await createBudgetTable(dynamodb);
    });

    afterEach(async () => {
      vi.unstubAllEnvs();
      await secrets().send(
        new DeleteSecretCommand({ SecretId: secretName, ForceDeleteWithoutRecovery: true }),
      );
      await sqs.send(new DeleteQueueCommand({ QueueUrl: deadLetterQueueUrl }));
      await dynamodb.send(new DeleteTableCommand({ TableName: budgetTable }));
    });

    /** The bundle with the environment the stack gives it, pointed at the emulator; a fresh module each time. */
    async function loadHandler() {
      const config = inject('localConfig');
      const credentials = localCredentials();
      vi.stubEnv('AWS_REGION', config.region);
      vi.stubEnv('AWS_ENDPOINT_URL', config.endpoint);
      vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
      vi.stubEnv('WARDEN_SLACK_WEBHOOK_SECRET_ARN', secretArn);
      vi.stubEnv('WARDEN_SLACK_DEAD_LETTER_QUEUE_URL', deadLetterQueueUrl);
      vi.stubEnv('WARDEN_IDEMPOTENCY_TABLE', budgetTable);
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
      const bundle = await ensureBundle('notify-slack');
      // A fresh module per test: the bundle reads its environment at cold start.
      const { handler } = (await import(`${pathToFileURL(bundle).href}?secret=${secretName}`)) as {
        handler: (event: unknown, context: Context) => Promise<unknown>;
      };
      return handler;
    }

    it('reads the webhook URL from Secrets Manager on first use and posts the SNS sample', async () => {
      const handler = await loadHandler();

      const response = await handler(loadSnsEvent('alert-s3-remediated.json'), context);

      expect(response).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
      expect(slack.received).toHaveLength(1);
      expect((slack.received[0]?.payload as { text?: string } | undefined)?.text).toContain(
        'Warden repaired example-bucket',
      );
    });

    it('counts its alert messages and paces its posts in the budget table of its environment', async () => {
      const handler = await loadHandler();

      await handler(loadSnsEvent('alert-s3-remediated.json'), context);

      // The table is this test's own: its items are the budget's grant times and the webhook's pace.
      const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: budgetTable }));
      const byKey = Object.fromEntries(Items.map((item) => [item.id?.S, item]));
      expect(Object.keys(byKey).sort()).toEqual(['slack-budget#pace', 'slack-budget#sent']);
      expect(byKey['slack-budget#sent']?.sent?.L).toHaveLength(1);
    });

    it('sends an SNS alert Slack refused for good to the dead-letter queue from its environment', async () => {
      const handler = await loadHandler();
      slack.script(reply.noService());
      const event = loadSnsEvent('alert-s3-remediated.json');

      const response = await handler(event, context);

      expect(response).toEqual({ delivered: 0, digested: 0, skipped: 0, permanentFailures: 1 });
      const messages = await receiveAll(sqs, deadLetterQueueUrl);
      expect(messages.map((message) => message.Body)).toEqual([event.Records[0]?.Sns.Message]);
    });
  });
});
