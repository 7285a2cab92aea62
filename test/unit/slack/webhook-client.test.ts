import { describe, expect, it, vi } from 'vitest';
import { PermanentDeliveryError, SlackUnavailableError } from '../../../functions/notify-slack/errors.ts';
import {
  backoffMs,
  type PostOptions,
  postToWebhook,
  redactWebhook,
  retryAfterMs,
} from '../../../functions/notify-slack/webhook-client.ts';

const URL_ = 'https://hooks.slack.com/services/T0SECRET/B0SECRET/abcdefSECRETtoken';
const PAYLOAD = { text: 'hello', blocks: [] };

const respond = (
  status: number,
  body = status === 200 ? 'ok' : 'error',
  headers: Record<string, string> = {},
) => new Response(body, { status, headers });

/** A fetch answering from a script, one entry per call: a Response or an error to throw. */
function scriptedFetch(...answers: (Response | Error)[]) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
    const next = answers.shift() ?? respond(200);
    if (next instanceof Error) throw next;
    return next;
  });
}

function options(fetchFn: ReturnType<typeof scriptedFetch>, extra: Partial<PostOptions> = {}) {
  const sleep = vi.fn(async (_ms: number) => {});
  return { sleep, opts: { fetch: fetchFn as unknown as typeof fetch, sleep, random: () => 0.5, ...extra } };
}

const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

describe('postToWebhook', () => {
  it('posts the payload as JSON once and reports one attempt when Slack answers ok', async () => {
    const fetchFn = scriptedFetch(respond(200));
    const { opts, sleep } = options(fetchFn);

    const delivery = await postToWebhook(URL_, PAYLOAD, opts);

    expect(delivery).toEqual({ attempts: 1 });
    expect(sleep).not.toHaveBeenCalled();
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(url).toBe(URL_);
    expect(init).toMatchObject({
      method: 'POST',
      body: JSON.stringify(PAYLOAD),
      redirect: 'manual',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('waits as long as Retry-After says on 429, then retries', async () => {
    const fetchFn = scriptedFetch(respond(429, 'rate_limited', { 'retry-after': '7' }), respond(200));
    const { opts, sleep } = options(fetchFn);

    const delivery = await postToWebhook(URL_, PAYLOAD, opts);

    expect(delivery).toEqual({ attempts: 2 });
    expect(sleep.mock.calls).toEqual([[7_000]]);
  });

  it('does not wait for a Retry-After longer than the cap: the message goes back to the queue', async () => {
    const fetchFn = scriptedFetch(respond(429, 'rate_limited', { 'retry-after': '120' }));
    const { opts, sleep } = options(fetchFn);

    const error = await postToWebhook(URL_, PAYLOAD, opts).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SlackUnavailableError);
    expect((error as SlackUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toContain('Slack asked to wait 120 s');
    expect(sleep).not.toHaveBeenCalled();
    expect(fetchFn).toHaveBeenCalledTimes(1);
  });

  it('does not wait past the deadline (the Lambda would be killed mid-wait)', async () => {
    const fetchFn = scriptedFetch(respond(429, 'rate_limited', { 'retry-after': '10' }));
    const { opts, sleep } = options(fetchFn, { now: () => 1_000, deadline: 6_000 });

    await expect(postToWebhook(URL_, PAYLOAD, opts)).rejects.toThrow(/not enough time left to wait 10000 ms/);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('makes no attempt when no time is left', async () => {
    const fetchFn = scriptedFetch();
    const { opts } = options(fetchFn, { now: () => 1_000, deadline: 1_100 });

    await expect(postToWebhook(URL_, PAYLOAD, opts)).rejects.toBeInstanceOf(SlackUnavailableError);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('retries 5xx with growing, jittered backoff', async () => {
    const fetchFn = scriptedFetch(respond(500), respond(502), respond(503), respond(200));
    const { opts, sleep } = options(fetchFn);

    const delivery = await postToWebhook(URL_, PAYLOAD, opts);

    expect(delivery).toEqual({ attempts: 4 });
    expect(sleep.mock.calls).toEqual([[250], [500], [1_000]]);
  });

  it('retries 429 without Retry-After with backoff', async () => {
    const fetchFn = scriptedFetch(respond(429, 'rate_limited'), respond(200));
    const { opts, sleep } = options(fetchFn);

    await postToWebhook(URL_, PAYLOAD, opts);

    expect(sleep.mock.calls).toEqual([[250]]);
  });

  it('retries network errors and timeouts', async () => {
    const fetchFn = scriptedFetch(networkError('ECONNRESET'), timeoutError(), respond(200));
    const { opts } = options(fetchFn);

    const delivery = await postToWebhook(URL_, PAYLOAD, opts);

    expect(delivery).toEqual({ attempts: 3 });
  });

  it('gives up after the last attempt with a retryable error saying why', async () => {
    const fetchFn = scriptedFetch(respond(500), respond(500), timeoutError(), timeoutError());
    const { opts, sleep } = options(fetchFn, { timeoutMs: 2_000 });

    const error = await postToWebhook(URL_, PAYLOAD, opts).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SlackUnavailableError);
    expect((error as Error).message).toBe(
      'Slack webhook unavailable after 4 attempt(s): no answer within 2000 ms',
    );
    expect(fetchFn).toHaveBeenCalledTimes(4);
    expect(sleep).toHaveBeenCalledTimes(3);
  });

  it.each([
    [400, 'invalid_payload'],
    [400, 'invalid_blocks'],
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
  ])('treats %i %s as permanent: one attempt, no retry', async (status, code) => {
    const fetchFn = scriptedFetch(respond(status, code));
    const { opts, sleep } = options(fetchFn);

    const error = await postToWebhook(URL_, PAYLOAD, opts).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error).toMatchObject({ status, slackError: code, retryable: false });
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('treats a redirect as permanent: the alert is not sent anywhere else', async () => {
    const fetchFn = scriptedFetch(respond(302, '', { location: 'https://elsewhere.example/' }));
    const { opts } = options(fetchFn);

    await expect(postToWebhook(URL_, PAYLOAD, opts)).rejects.toBeInstanceOf(PermanentDeliveryError);
  });

  it('never puts the webhook URL in an error message', async () => {
    const leaky = Object.assign(new TypeError(`fetch failed for ${URL_}`), { cause: { code: URL_ } });
    const fetchFn = scriptedFetch(leaky, respond(500, `boom ${URL_}`), respond(400, `bad ${URL_}`));
    const { opts } = options(fetchFn, { maxAttempts: 3 });

    const error = (await postToWebhook(URL_, PAYLOAD, opts).catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).not.toContain('SECRET');
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('SECRET');
  });

  it('keeps the URL out of the retryable error too', async () => {
    const fetchFn = scriptedFetch(networkError(URL_), respond(503, URL_));
    const { opts } = options(fetchFn, { maxAttempts: 2 });

    const error = (await postToWebhook(URL_, PAYLOAD, opts).catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(SlackUnavailableError);
    expect(error.message).not.toContain('SECRET');
  });
});

describe('redactWebhook', () => {
  it('replaces the webhook URL and its secret path', () => {
    const text = `POST ${URL_} failed; path ${new URL(URL_).pathname}`;

    expect(redactWebhook(text, URL_)).toBe('POST [webhook] failed; path /[redacted]');
  });

  it('hides any Slack webhook path when the URL is not known yet', () => {
    expect(redactWebhook(`the secret holds ${URL_}`)).toBe(
      'the secret holds https://hooks.slack.com/[redacted]',
    );
  });

  it('leaves a text without a webhook as it is', () => {
    expect(redactWebhook('503 Service Unavailable')).toBe('503 Service Unavailable');
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3', 0)).toBe(3_000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 1_000)).toBe(4_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles the ceiling per attempt up to the cap, scaled by the jitter', () => {
    const max = () => 0.999_999;

    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, max, 500, 8_000))).toEqual([
      499, 999, 1_999, 3_999, 7_999, 7_999,
    ]);
  });
});
