import { describe, expect, it, vi } from 'vitest';
import { toChatNotification } from '#shared/alerts/chat-notification.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { WardenMetric } from '#shared/observability/observability.ts';
import { AlarmNotificationSchema, toSlackAlarm } from '#shared/slack/alarm.ts';
import type { SlackBudget } from '#shared/slack/slack-budget.ts';
import { individualWanted, planMessages } from '../../../functions/notify-slack/batch-plan.ts';
import type { SlackMessage } from '../../../functions/notify-slack/block-kit.ts';
import type { DeadLetterSink, RefusedRecord } from '../../../functions/notify-slack/dead-letter.ts';
import {
  PermanentDeliveryError,
  SlackUnavailableError,
  WebhookSecretError,
} from '../../../functions/notify-slack/errors.ts';
import { createNotifySlack, type NotifySlackDeps } from '../../../functions/notify-slack/notify-slack.ts';
import {
  alertFor,
  loadSnsEvent,
  loadSqsEvent,
  sampleAlarmMessage,
  sampleAlert,
  snsEnvelope,
  snsEnvelopeOf,
  sqsEvent,
} from './helpers.ts';
import { inMemorySlackBudget } from './memory-budget.ts';

const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
const NOW = new Date('2026-11-20T10:15:10Z');

type PostFn = NotifySlackDeps['post'];

const refuse404 = async (): Promise<never> => {
  throw new PermanentDeliveryError('Slack refused the message: 404 no_service', 404, 'no_service');
};

/** Records what was dead-lettered; with `failing`, every send fails as an SQS outage would. */
function deadLetterSink(failing = false) {
  const batches: { records: RefusedRecord[]; reason: string }[] = [];
  const sink: DeadLetterSink = {
    async send(records, reason) {
      batches.push({ records: [...records], reason });
      return failing
        ? { sent: 0, failed: records.map(({ id }) => ({ id, error: 'RetryableAwsError: SQS unavailable' })) }
        : { sent: records.length, failed: [] };
    },
  };
  return { sink, batches };
}

function setup(
  post: PostFn = async () => ({ attempts: 1 }),
  getUrl = async () => WEBHOOK,
  deadLetter = deadLetterSink(),
  budget: SlackBudget = inMemorySlackBudget(),
  clock = { now: () => NOW },
) {
  const sent: SlackMessage[] = [];
  const counted: WardenMetric[] = [];
  const postSpy = vi.fn<PostFn>(async (url, message, options) => {
    sent.push(message);
    return post(url, message, options);
  });
  const webhookUrl = { get: vi.fn(getUrl), forget: vi.fn() };
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const notify = createNotifySlack({
    webhookUrl,
    post: postSpy,
    deadLetter: deadLetter.sink,
    budget,
    log,
    metrics: { count: (name) => counted.push(name) },
    clock,
  });
  return { notify, sent, counted, postSpy, webhookUrl, log, deadLettered: deadLetter.batches };
}

const headerOf = (message: SlackMessage | undefined) =>
  message?.blocks[0]?.type === 'header' ? message.blocks[0].text.text : '';

describe('notify-slack with an SNS event', () => {
  it('posts the alert of the sample SNS event as one Block Kit message', async () => {
    const { notify, sent, counted } = setup();

    const response = await notify(loadSnsEvent('alert-s3-remediated.json'));

    expect(response).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
    expect(headerOf(sent[0])).toBe(':large_orange_circle: HIGH: Warden repaired example-bucket');
    expect(counted).toEqual(['SlackMessagesDelivered']);
  });

  it('gives the post a deadline inside the Lambda remaining time', async () => {
    const { notify, postSpy } = setup();

    await notify(loadSnsEvent('alert-s3-remediated.json'), { remainingTimeMs: () => 30_000 });

    expect(postSpy.mock.calls[0]?.[2]).toEqual({ deadline: NOW.getTime() + 30_000 - 3_000 });
  });

  it('throws a retryable error when Slack is unavailable, so Lambda retries and then dead-letters', async () => {
    const { notify } = setup(async () => {
      throw new SlackUnavailableError('Slack webhook unavailable after 4 attempt(s): 500');
    });

    await expect(notify(loadSnsEvent('alert-s3-remediated.json'))).rejects.toBeInstanceOf(
      SlackUnavailableError,
    );
  });

  it('does not throw on a permanent refusal: counted, logged, and the webhook URL forgotten', async () => {
    const { notify, counted, webhookUrl, log } = setup(refuse404);

    const response = await notify(loadSnsEvent('alert-s3-remediated.json'));

    expect(response).toMatchObject({ delivered: 0, permanentFailures: 1 });
    expect(counted).toEqual(['SlackDeliveryPermanentFailures']);
    expect(webhookUrl.forget).toHaveBeenCalledOnce();
    expect(log.error).toHaveBeenCalledWith(
      'Slack refused the message',
      expect.objectContaining({ status: 404, slackError: 'no_service' }),
    );
  });

  it('sends the SNS message Slack refused for good to the dead-letter queue, as it arrived', async () => {
    const { notify, deadLettered } = setup(refuse404);
    const event = loadSnsEvent('alert-s3-remediated.json');

    await notify(event);

    expect(deadLettered).toEqual([
      {
        records: [{ id: event.Records[0]?.Sns.MessageId, body: event.Records[0]?.Sns.Message }],
        reason: 'Slack refused the message: 404 no_service',
      },
    ]);
  });

  it('throws a retryable error when a refused SNS message cannot be dead-lettered either', async () => {
    const { notify } = setup(refuse404, undefined, deadLetterSink(true));

    await expect(notify(loadSnsEvent('alert-s3-remediated.json'))).rejects.toBeInstanceOf(
      SlackUnavailableError,
    );
  });

  it('keeps the webhook URL after invalid_blocks: the webhook is fine, the message was not', async () => {
    const { notify, webhookUrl } = setup(async () => {
      throw new PermanentDeliveryError(
        'Slack refused the message: 400 invalid_blocks',
        400,
        'invalid_blocks',
      );
    });

    await notify(loadSnsEvent('alert-s3-remediated.json'));

    expect(webhookUrl.forget).not.toHaveBeenCalled();
  });

  it('skips and counts a message that is not a Warden alert', async () => {
    const { notify, postSpy, counted, webhookUrl } = setup();

    const response = await notify(loadSnsEvent('not-a-warden-alert.json'));

    expect(response).toEqual({ delivered: 0, digested: 0, skipped: 1, permanentFailures: 0 });
    expect(postSpy).not.toHaveBeenCalled();
    expect(webhookUrl.get).not.toHaveBeenCalled();
    expect(counted).toEqual(['NotificationsSkipped']);
  });

  it('rejects an event that is neither SNS nor SQS without posting or throwing', async () => {
    const { notify, postSpy, counted } = setup();

    const response = await notify({ detail: {} });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(postSpy).not.toHaveBeenCalled();
    expect(counted).toEqual(['EventsRejected']);
  });

  it('never logs the webhook URL, even when an error message carries it', async () => {
    const { notify, log } = setup(async (url) => {
      throw new SlackUnavailableError(`POST ${url} failed after 4 attempt(s): 503`);
    });

    await notify(loadSnsEvent('alert-s3-remediated.json')).catch(() => undefined);

    const logged = JSON.stringify([log.info.mock.calls, log.warn.mock.calls, log.error.mock.calls]);
    expect(logged).toContain('failed after 4 attempt(s): 503');
    expect(logged).not.toContain('SECRETTOKEN');
    expect(logged).not.toContain('T000/B000');
  });

  it('never logs the webhook URL from a refusal whose error code carries it', async () => {
    const { notify, log, deadLettered } = setup(async (url) => {
      throw new PermanentDeliveryError(`Slack refused the message: 400 ${url}`, 400, `bad ${url}`);
    });

    await notify(loadSnsEvent('alert-s3-remediated.json'));

    const logged = JSON.stringify([log.info.mock.calls, log.warn.mock.calls, log.error.mock.calls]);
    expect(logged).toContain('Slack refused the message');
    expect(logged).not.toContain('SECRETTOKEN');
    expect(deadLettered[0]?.reason).not.toContain('SECRETTOKEN');
  });

  it('never logs a Slack webhook URL from a secret read failure', async () => {
    const { notify, log } = setup(undefined, async () => {
      throw new WebhookSecretError(`The secret holds ${WEBHOOK}, which is revoked`);
    });

    await notify(loadSnsEvent('alert-s3-remediated.json')).catch(() => undefined);

    expect(JSON.stringify(log.error.mock.calls)).not.toContain('SECRETTOKEN');
  });
});

describe('notify-slack with an SQS batch', () => {
  it('posts every alert of the sample batch (SNS envelope and raw bodies) and skips the rest', async () => {
    const { notify, sent, counted } = setup();

    const response = await notify(loadSqsEvent('sqs-batch-alerts.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sent.map(headerOf)).toEqual([
      ':large_orange_circle: HIGH: Warden repaired example-bucket',
      expect.stringContaining('HIGH: Warden found a risky change on'),
    ]);
    expect(counted.filter((name) => name === 'NotificationsSkipped')).toHaveLength(1);
  });

  it('returns only the records Slack did not take as batch item failures', async () => {
    let calls = 0;
    const { notify } = setup(async () => {
      calls += 1;
      if (calls === 2) throw new SlackUnavailableError('Slack webhook unavailable after 4 attempt(s): 500');
      return { attempts: 1 };
    });
    const event = sqsEvent([1, 2, 3].map((i) => snsEnvelope(alertFor(i))));

    const response = await notify(event);

    // Messages go out oldest first within a severity: msg-0 went, msg-1 failed, msg-2 was not tried.
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-1' }, { itemIdentifier: 'msg-2' }],
    });
  });

  it('sends records Slack refused for good to the dead-letter queue with their bodies, not back to the queue', async () => {
    const { notify, counted, deadLettered } = setup(async () => {
      throw new PermanentDeliveryError(
        'Slack refused the message: 410 channel_is_archived',
        410,
        'channel_is_archived',
      );
    });
    const bodies = [snsEnvelope(alertFor(1)), snsEnvelope(alertFor(2))];

    const response = await notify(sqsEvent(bodies));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(counted).toEqual(['SlackDeliveryPermanentFailures', 'SlackDeliveryPermanentFailures']);
    expect(deadLettered.flatMap((batch) => batch.records)).toEqual([
      { id: 'msg-0', body: bodies[0] },
      { id: 'msg-1', body: bodies[1] },
    ]);
    expect(deadLettered[0]?.reason).toBe('Slack refused the message: 410 channel_is_archived');
  });

  it('posts the other records of the batch after a refusal and dead-letters only the refused one', async () => {
    let calls = 0;
    const { notify, deadLettered } = setup(async () => {
      calls += 1;
      if (calls === 1) await refuse404();
      return { attempts: 1 };
    });

    const response = await notify(sqsEvent([1, 2].map((i) => snsEnvelope(alertFor(i)))));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(deadLettered.flatMap((batch) => batch.records.map((record) => record.id))).toEqual(['msg-0']);
  });

  it('retries through the queue the refused records that could not be dead-lettered', async () => {
    const { notify, counted } = setup(refuse404, undefined, deadLetterSink(true));

    const response = await notify(sqsEvent([snsEnvelope(alertFor(1))]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-0' }] });
    expect(counted).toEqual(['SlackDeliveryPermanentFailures', 'SlackDeliveryFailures']);
  });

  it('dead-letters every record of a refused digest', async () => {
    const { notify, deadLettered } = setup(async (_url, message) => {
      if (message.text.startsWith('Warden digest')) await refuse404();
      return { attempts: 1 };
    });

    await notify(sqsEvent(Array.from({ length: 30 }, (_, i) => snsEnvelope(alertFor(i)))));

    expect(deadLettered.flatMap((batch) => batch.records)).toHaveLength(25);
  });

  it('keeps every alert in the queue when the webhook secret cannot be read', async () => {
    const { notify, postSpy } = setup(undefined, async () => {
      throw new WebhookSecretError(
        'The Slack webhook secret arn:... is empty: store the incoming-webhook URL in it',
      );
    });

    const response = await notify(sqsEvent([snsEnvelope(alertFor(1)), 'not json', snsEnvelope(alertFor(2))]));

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-0' }, { itemIdentifier: 'msg-2' }],
    });
    expect(postSpy).not.toHaveBeenCalled();
  });

  it('posts a duplicated event once and answers for both records', async () => {
    const { notify, sent } = setup(async () => {
      throw new SlackUnavailableError('down');
    });
    const body = snsEnvelope(alertFor(7));

    const response = await notify(sqsEvent([body, body]));

    expect(sent).toHaveLength(1);
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-0' }, { itemIdentifier: 'msg-1' }],
    });
  });
});

describe('notify-slack in a storm', () => {
  const storm = () =>
    sqsEvent(
      Array.from({ length: 60 }, (_, i) => snsEnvelope(alertFor(i, i % 20 === 7 ? 'CRITICAL' : 'MEDIUM'))),
    );

  it('posts the most severe alerts one by one and a single digest of the rest', async () => {
    const { notify, sent, counted } = setup();

    const response = await notify(storm());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(6);
    expect(sent.slice(0, 3).map(headerOf)).toEqual([
      ':red_circle: CRITICAL: Warden repaired iac-bucket-007',
      ':red_circle: CRITICAL: Warden repaired iac-bucket-027',
      ':red_circle: CRITICAL: Warden repaired iac-bucket-047',
    ]);
    expect(headerOf(sent[5])).toBe(':large_yellow_circle: Warden digest: 55 alerts');
    expect(counted.filter((name) => name === 'SlackDigestsDelivered')).toHaveLength(1);
  });

  it('retries every record of the digest when the digest could not be delivered', async () => {
    const { notify } = setup(async (_url, message) => {
      if (message.text.startsWith('Warden digest')) throw new SlackUnavailableError('down');
      return { attempts: 1 };
    });

    const response = await notify(storm());

    expect('batchItemFailures' in response && response.batchItemFailures).toHaveLength(55);
  });

  it('posts up to one more alert than the limit individually rather than a digest of one', async () => {
    const { notify, sent } = setup();

    await notify(sqsEvent(Array.from({ length: 6 }, (_, i) => snsEnvelope(alertFor(i)))));

    expect(sent.map(headerOf).filter((header) => header.includes('digest'))).toEqual([]);
    expect(sent).toHaveLength(6);
  });
});

describe('notify-slack with a message budget shared across batches', () => {
  const batch = (from: number, count: number) =>
    sqsEvent(Array.from({ length: count }, (_, i) => snsEnvelope(alertFor(from + i))));
  const digests = (messages: readonly SlackMessage[]) =>
    messages.filter((message) => message.text.startsWith('Warden digest'));
  const unavailable: SlackBudget = {
    take: async () => {
      throw new Error('RetryableAwsError: counting Slack messages: ProvisionedThroughputExceededException');
    },
  };

  it('sends only a digest for a storm batch once the window budget is spent by earlier batches', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: 300_000 });
    const { notify, sent } = setup(undefined, undefined, undefined, budget);
    await notify(batch(0, 50));
    await notify(batch(50, 50));
    sent.length = 0;

    const response = await notify(batch(100, 50));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sent.map((message) => message.text)).toEqual([
      'Warden digest: 50 alerts (worst HIGH) of 50 raised together',
    ]);
  });

  it('posts the rest of the window budget one by one and digests the other alerts', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: 300_000 });
    const { notify, sent } = setup(undefined, undefined, undefined, budget);
    await notify(batch(0, 50));
    await notify(batch(50, 3));
    sent.length = 0;

    await notify(batch(100, 50));

    expect(sent).toHaveLength(3);
    expect(digests(sent).map((message) => message.text)).toEqual([
      'Warden digest: 48 alerts (worst HIGH) of 50 raised together',
    ]);
  });

  it('never holds back an alarm, even when the window budget is spent', async () => {
    const budget = inMemorySlackBudget({ messages: 1, windowMs: 300_000 });
    const { notify, sent } = setup(undefined, undefined, undefined, budget);
    await notify(batch(0, 5));
    sent.length = 0;
    const alarm = snsEnvelopeOf(JSON.stringify(sampleAlarmMessage()));

    await notify(sqsEvent([alarm, snsEnvelope(alertFor(10)), snsEnvelope(alertFor(11))]));

    expect(sent.map(headerOf)).toEqual([
      expect.stringMatching(/^:rotating_light: ALARM: /),
      expect.stringContaining('Warden digest: 2 alerts'),
    ]);
  });

  it('does not spend budget on a batch of alarms only', async () => {
    const budget = inMemorySlackBudget();
    const { notify } = setup(undefined, undefined, undefined, budget);

    await notify(loadSnsEvent('cloudwatch-alarm.json'));

    expect(budget.requests).toEqual([]);
  });

  it('asks for the alerts the per-batch plan would post, at the time of the clock', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: 300_000 });
    const { notify } = setup(undefined, undefined, undefined, budget);

    await notify(batch(0, 50));

    expect(budget.requests).toEqual([{ wanted: 5, at: NOW }]);
  });

  it('gives the budget back five minutes after it was spent', async () => {
    const budget = inMemorySlackBudget({ messages: 5, windowMs: 300_000 });
    let now = NOW;
    const { notify, sent } = setup(undefined, undefined, undefined, budget, { now: () => now });
    await notify(batch(0, 50));
    now = new Date(NOW.getTime() + 300_000);
    sent.length = 0;

    await notify(batch(50, 50));

    expect(sent).toHaveLength(6);
    expect(digests(sent)).toHaveLength(1);
  });

  it('holds the budget over a storm that straddles a 5-minute boundary (fake clock)', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: 300_000 });
    let now = NOW;
    const { notify, sent } = setup(undefined, undefined, undefined, budget, { now: () => now });
    const times = ['10:19:20', '10:19:40', '10:20:00', '10:20:20', '10:20:40', '10:21:00'];

    for (const [index, time] of times.entries()) {
      now = new Date(`2026-11-20T${time}Z`);
      await notify(batch(index * 50, 50));
    }

    expect(sent.length - digests(sent).length).toBe(10);
    expect(digests(sent)).toHaveLength(times.length);
  });

  it('falls back to the per-batch plan when the budget cannot be read: warns, counts, loses nothing', async () => {
    const { notify, sent, counted, log } = setup(undefined, undefined, undefined, unavailable);

    const response = await notify(batch(0, 50));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(6);
    expect(digests(sent).map((message) => message.text)).toEqual([
      'Warden digest: 45 alerts (worst HIGH) of 50 raised together',
    ]);
    expect(counted.filter((name) => name === 'SlackBudgetUnavailable')).toHaveLength(1);
    expect(log.warn).toHaveBeenCalledWith(
      'Slack message budget unavailable, using the per-batch limit',
      expect.objectContaining({ wanted: 5, error: expect.stringContaining('ProvisionedThroughput') }),
    );
  });

  it('logs the span and what was granted when the budget is short', async () => {
    const budget = inMemorySlackBudget({ messages: 2, windowMs: 300_000 });
    const { notify, log } = setup(undefined, undefined, undefined, budget);

    await notify(batch(0, 50));

    expect(log.info).toHaveBeenCalledWith('Slack message budget spent: the other alerts go into the digest', {
      since: '2026-11-20T10:10:10.000Z',
      sent: 0,
      wanted: 5,
      granted: 2,
    });
  });
});

describe('planMessages and individualWanted', () => {
  const records = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `msg-${i}`, alert: alertFor(i) }));

  it('wants every alert of a batch up to one more than the per-batch limit', () => {
    expect([1, 5, 6, 7, 200].map((count) => individualWanted(records(count), 5))).toEqual([1, 5, 6, 5, 5]);
  });

  it('counts a duplicated event once', () => {
    const [first] = records(1);

    expect(individualWanted(first ? [first, { ...first, id: 'msg-dup' }] : [], 5)).toBe(1);
  });

  it('with no allowance, puts every alert in one digest and still posts the alarms first', () => {
    const alarmRecord = {
      id: 'alarm-1',
      alarm: toSlackAlarm(AlarmNotificationSchema.parse(sampleAlarmMessage())),
    };

    const messages = planMessages(records(3), 0, [alarmRecord]);

    expect(messages.map((message) => [message.kind, message.recordIds.length])).toEqual([
      ['alarm', 1],
      ['digest', 3],
    ]);
  });

  it('posts one alert left over as itself, not as a digest of one (the same one message)', () => {
    expect(planMessages(records(1), 0).map((message) => message.kind)).toEqual(['alert']);
    expect(planMessages(records(3), 2).map((message) => message.kind)).toEqual(['alert', 'alert', 'alert']);
    expect(planMessages(records(4), 2).map((message) => message.kind)).toEqual(['alert', 'alert', 'digest']);
  });
});

describe('notify-slack with CloudWatch alarms', () => {
  it('posts the alarm of the sample SNS event instead of skipping it', async () => {
    const { notify, sent, counted } = setup();

    const response = await notify(loadSnsEvent('cloudwatch-alarm.json'));

    expect(response).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
    expect(headerOf(sent[0])).toBe(
      ':rotating_light: ALARM: warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y',
    );
    expect(counted).toEqual(['SlackMessagesDelivered']);
  });

  it('posts an alarm that came through the queue before the alerts of the batch', async () => {
    const { notify, sent } = setup();
    const alarm = snsEnvelopeOf(JSON.stringify(sampleAlarmMessage()));

    const response = await notify(sqsEvent([snsEnvelope(alertFor(1)), alarm]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sent.map(headerOf)).toEqual([
      expect.stringMatching(/^:rotating_light: ALARM: /),
      ':large_orange_circle: HIGH: Warden repaired iac-bucket-001',
    ]);
  });

  it('posts a state change delivered twice once, and retries both records when Slack is down', async () => {
    const { notify, sent } = setup(async () => {
      throw new SlackUnavailableError('down');
    });
    const alarm = snsEnvelopeOf(JSON.stringify(sampleAlarmMessage()));

    const response = await notify(sqsEvent([alarm, alarm]));

    expect(sent).toHaveLength(1);
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'msg-0' }, { itemIdentifier: 'msg-1' }],
    });
  });

  it('still skips and counts a JSON message that is neither an alert nor an alarm', async () => {
    const { notify, postSpy, counted, log } = setup();

    const response = await notify(sqsEvent([snsEnvelopeOf(JSON.stringify({ AlarmName: 'x' }))]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(postSpy).not.toHaveBeenCalled();
    expect(counted).toEqual(['NotificationsSkipped']);
    expect(log.warn).toHaveBeenCalledWith(
      'Message skipped',
      expect.objectContaining({ reason: expect.stringContaining('not a CloudWatch alarm notification') }),
    );
  });
});

describe('sample events', () => {
  it('carry the chat notification s3-guard publishes for the alert inside', () => {
    const message = JSON.parse(loadSnsEvent('alert-s3-remediated.json').Records[0]?.Sns.Message ?? '{}');

    expect(message).toEqual(toChatNotification(sampleAlert() as Alert));
  });
});
