import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import type { WardenMetric } from '#shared/observability/observability.ts';
import { createNotifySlack } from '../../../functions/notify-slack/notify-slack.ts';
import { postToWebhook } from '../../../functions/notify-slack/webhook-client.ts';
import {
  claimSlot,
  dynamoDbWebhookPace,
  SLACK_PACE_MS,
  tolerantPace,
  type WebhookPace,
} from '../../../functions/notify-slack/webhook-pace.ts';
import { alertFor, snsEnvelope, sqsEvent } from './helpers.ts';
import { inMemorySlackBudget, inMemoryWebhookPace } from './memory-budget.ts';

const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
const T0 = Date.parse('2026-11-20T10:15:10Z');

describe('claimSlot', () => {
  it('gives a free webhook the time asked for', () => {
    expect(claimSlot(undefined, T0, T0 + 60_000, 1_100)).toEqual({ slot: T0, next: T0 + 1_100 });
    expect(claimSlot(T0 - 5, T0, T0 + 60_000, 1_100)).toEqual({ slot: T0, next: T0 + 1_100 });
  });

  it('gives a busy webhook its next free time', () => {
    expect(claimSlot(T0 + 700, T0, T0 + 60_000, 1_100)).toEqual({ slot: T0 + 700, next: T0 + 1_800 });
  });

  it('claims nothing when the next free time is after the latest acceptable', () => {
    expect(claimSlot(T0 + 10_000, T0, T0 + 9_999, 1_100)).toBeUndefined();
  });
});

describe('dynamoDbWebhookPace', () => {
  const dynamodbMock = mockClient(DynamoDBClient);
  const pace = () => dynamoDbWebhookPace(new DynamoDBClient({ region: 'us-east-1' }), 'warden-idempotency');
  const conditionFailed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  beforeEach(() => {
    dynamodbMock.reset();
  });

  it('takes the time asked for when the webhook is free, in one conditional update', async () => {
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { next: { N: String(T0 + SLACK_PACE_MS) } } });

    const slot = await pace().claim(T0, T0 + 30_000);

    expect(slot).toBe(T0);
    expect(dynamodbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamodbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { id: { S: 'slack-budget#pace' } },
      UpdateExpression: 'SET #next = :next, #expiration = :expiration',
      ConditionExpression: 'attribute_not_exists(#next) OR #next <= :notBefore',
      ExpressionAttributeValues: expect.objectContaining({
        ':next': { N: String(T0 + SLACK_PACE_MS) },
        ':notBefore': { N: String(T0) },
      }),
    });
  });

  it('moves a busy webhook one interval on and takes the time it moved from', async () => {
    dynamodbMock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { next: { N: String(T0 + 700 + SLACK_PACE_MS) } } });

    const slot = await pace().claim(T0, T0 + 30_000);

    expect(slot).toBe(T0 + 700);
    expect(dynamodbMock).toHaveReceivedNthCommandWith(UpdateItemCommand, 2, {
      UpdateExpression: 'ADD #next :interval SET #expiration = :expiration',
      ConditionExpression: '#next > :notBefore AND #next <= :latest',
    });
  });

  it('claims nothing when the next free time is after the latest acceptable', async () => {
    dynamodbMock.on(UpdateItemCommand).rejects(conditionFailed());

    await expect(pace().claim(T0, T0 + 30_000)).resolves.toBeUndefined();
  });

  it('rethrows a DynamoDB failure as a classified error', async () => {
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(pace().claim(T0, T0 + 30_000)).rejects.toBeInstanceOf(RetryableAwsError);
  });
});

describe('tolerantPace', () => {
  it('posts after a random part of an interval when the shared pace is unavailable: warns and counts', async () => {
    const broken: WebhookPace = {
      claim: async () => {
        throw new Error('ResourceNotFoundException');
      },
    };
    const counted: WardenMetric[] = [];
    const log = { warn: vi.fn() };

    const slot = await tolerantPace(broken, {
      log,
      metrics: { count: (name) => counted.push(name) },
      random: () => 0.5,
    }).claim(T0, T0 + 30_000);

    expect(slot).toBe(T0 + SLACK_PACE_MS / 2);
    expect(counted).toEqual(['SlackBudgetUnavailable']);
    expect(log.warn).toHaveBeenCalledWith(
      'Slack send pace unavailable, posting with a random delay',
      expect.objectContaining({ error: expect.stringContaining('ResourceNotFoundException') }),
    );
  });
});

/**
 * Slack as measured: one message a second per webhook, 429 with `Retry-After: 1` above that. Time is
 * vitest's fake clock; the client's waits are fake timers.
 */
function rateLimitedSlack() {
  const accepted: number[] = [];
  let rateLimited = 0;
  const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
    const now = Date.now();
    const last = accepted.at(-1);
    if (last !== undefined && now - last < 1_000) {
      rateLimited += 1;
      return new Response('rate_limited', { status: 429, headers: { 'retry-after': '1' } });
    }
    accepted.push(now);
    return new Response('ok');
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, accepted, rateLimited: () => rateLimited };
}

describe('postToWebhook with a shared pace', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  it('waits for its slot before posting', async () => {
    const pace = inMemoryWebhookPace();
    await pace.claim(T0, T0 + 60_000);
    const slack = rateLimitedSlack();

    const delivery = postToWebhook(
      WEBHOOK,
      { text: 'x' },
      { fetch: slack.fetch, sleep, pace, deadline: T0 + 57_000 },
    );
    await vi.runAllTimersAsync();

    await expect(delivery).resolves.toEqual({ attempts: 1 });
    expect(slack.accepted).toEqual([T0 + SLACK_PACE_MS]);
  });

  it("claims a retry's slot after Slack's Retry-After, so senders claiming later queue behind it", async () => {
    const pace = inMemoryWebhookPace();
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response('rate_limited', { status: 429, headers: { 'retry-after': '3' } }))
      .mockResolvedValue(new Response('ok'));

    const delivery = postToWebhook(WEBHOOK, { text: 'x' }, { fetch, sleep, pace, deadline: T0 + 57_000 });
    await vi.runAllTimersAsync();

    await expect(delivery).resolves.toEqual({ attempts: 2 });
    expect(pace.slots).toEqual([T0, T0 + 3_000]);
    await expect(pace.claim(Date.now(), T0 + 60_000)).resolves.toBe(T0 + 3_000 + SLACK_PACE_MS);
  });

  it('gives the message back to the queue when no slot is free before the deadline', async () => {
    const pace = inMemoryWebhookPace();
    await pace.claim(T0 + 20_000, T0 + 60_000);
    const fetch = vi.fn();

    const delivery = postToWebhook(WEBHOOK, { text: 'x' }, { fetch, sleep, pace, deadline: T0 + 10_000 });

    await expect(delivery).rejects.toThrow('no free send slot for the webhook before the deadline');
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('two concurrent notify-slack consumers sharing the webhook pace', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function consumer(slack: ReturnType<typeof rateLimitedSlack>, pace: WebhookPace) {
    return createNotifySlack({
      webhookUrl: { get: async () => WEBHOOK, forget: () => {} },
      post: (url, message, options) =>
        postToWebhook(url, message, {
          ...options,
          fetch: slack.fetch,
          sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
          random: () => 0.5,
          pace,
        }),
      deadLetter: { send: async (records) => ({ sent: records.length, failed: [] }) },
      budget: inMemorySlackBudget({ messages: 20, windowMs: 300_000 }),
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { count: () => {} },
      clock: { now: () => new Date() },
    });
  }
  const storm = (from: number) =>
    sqsEvent(Array.from({ length: 50 }, (_, i) => snsEnvelope(alertFor(from + i))));

  it('take turns at the webhook: every message delivered in its invocation, no 429, one a slot', async () => {
    const slack = rateLimitedSlack();
    const pace = inMemoryWebhookPace();
    const [first, second] = [consumer(slack, pace), consumer(slack, pace)];

    const responses = Promise.all([
      first(storm(0), { remainingTimeMs: () => 60_000 }),
      second(storm(100), { remainingTimeMs: () => 60_000 }),
    ]);
    await vi.runAllTimersAsync();

    expect(await responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(slack.rateLimited()).toBe(0);
    expect(slack.accepted).toEqual(Array.from({ length: 12 }, (_, i) => T0 + i * SLACK_PACE_MS));
  });
});
