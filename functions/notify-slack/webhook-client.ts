import { PermanentDeliveryError, SlackUnavailableError } from './errors.ts';
import type { WebhookPace } from './webhook-pace.ts';

/**
 * Posts one message to a Slack incoming webhook with Node's fetch: an explicit timeout per attempt,
 * `Retry-After` honoured on 429, backoff with jitter on 5xx and network errors, Slack's permanent
 * answers never retried. With a pace, every attempt first claims a send slot shared with the other
 * invocations and waits for it (a retry's slot comes after its `Retry-After` or backoff). The webhook
 * URL is a credential: it never appears in an error message.
 */
export interface PostOptions {
  readonly fetch?: typeof fetch;
  /** Per attempt, covering connect, response and body. */
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Epoch ms after which no attempt starts and no wait ends (the Lambda's remaining time). */
  readonly deadline?: number;
  /** A longer `Retry-After` is not waited for here: the message goes back to the queue instead. */
  readonly maxRetryAfterMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The webhook's send slots, shared by every invocation (webhook-pace.ts); without it, no pacing. */
  readonly pace?: WebhookPace;
}

export interface Delivery {
  readonly attempts: number;
}

export const POST_DEFAULTS = {
  timeoutMs: 5_000,
  maxAttempts: 4,
  maxRetryAfterMs: 30_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
} as const;

/** Too little time for a request to finish is no time at all. */
const MIN_ATTEMPT_MS = 250;
const MAX_ERROR_BODY = 100;

type AttemptResult =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'permanent'; readonly status: number; readonly slackError: string }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number };

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Replaces the webhook URL (and its secret path) wherever it might show up in a text. Without a URL
 * (not read yet), any Slack webhook path is still hidden.
 */
export function redactWebhook(text: string, url?: string): string {
  let out = text;
  if (url) {
    out = out.split(url).join('[webhook]');
    try {
      const { pathname } = new URL(url);
      if (pathname.length > 1) out = out.split(pathname).join('/[redacted]');
    } catch {
      // Not a URL: nothing more to hide than the text itself.
    }
  }
  return out.replace(/hooks\.slack\.com\/\S+/g, 'hooks.slack.com/[redacted]');
}

/** Slack answers with a short error code (`no_service`); anything else is shortened and sanitised. */
function slackErrorOf(body: string, url: string): string {
  const first = redactWebhook(body.trim().split('\n')[0] ?? '', url)
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, MAX_ERROR_BODY);
  return first || 'no error code';
}

/** `Retry-After` is delta-seconds, or (rarely) an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** "Full jitter" exponential backoff: spreads retries from concurrent invocations apart. */
export function backoffMs(attempt: number, random: () => number, base: number, cap: number): number {
  return Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // undici wraps socket errors: `TypeError: fetch failed` with a `cause` carrying the code.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : typeof name === 'string' ? name : 'unknown';
  return `network error (${code})`;
}

async function attemptOnce(
  doFetch: typeof fetch,
  url: string,
  body: string,
  timeoutMs: number,
  now: number,
): Promise<AttemptResult> {
  let response: Response;
  let text = '';
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      // A webhook never redirects; following one would send the alert somewhere else.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { kind: 'retry', reason: describeFailure(error, timeoutMs) };
  }
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const slackError = slackErrorOf(text, url);
  if (status === 429) {
    const wait = retryAfterMs(response.headers.get('retry-after'), now);
    return {
      kind: 'retry',
      reason: `429 rate limited`,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', reason: `${status} ${slackError}` };
  return { kind: 'permanent', status, slackError };
}

export async function postToWebhook(
  url: string,
  payload: unknown,
  options: PostOptions = {},
): Promise<Delivery> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const timeoutMs = options.timeoutMs ?? POST_DEFAULTS.timeoutMs;
  const maxAttempts = options.maxAttempts ?? POST_DEFAULTS.maxAttempts;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? POST_DEFAULTS.maxRetryAfterMs;
  const baseDelayMs = options.baseDelayMs ?? POST_DEFAULTS.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? POST_DEFAULTS.maxDelayMs;
  const body = JSON.stringify(payload);
  const unavailable = (attempts: number, reason: string) =>
    new SlackUnavailableError(
      redactWebhook(`Slack webhook unavailable after ${attempts} attempt(s): ${reason}`, url),
    );

  let last = 'no attempt made';
  let notBefore = now();
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (options.pace) {
      const slot = await options.pace.claim(notBefore, deadline - MIN_ATTEMPT_MS);
      if (slot === undefined) {
        throw unavailable(attempt - 1, `${last}; no free send slot for the webhook before the deadline`);
      }
      if (slot > now()) await sleep(slot - now());
    }
    const left = deadline - now();
    if (left < MIN_ATTEMPT_MS) throw unavailable(attempt - 1, `${last}; no time left for another attempt`);
    const result = await attemptOnce(doFetch, url, body, Math.min(timeoutMs, left), now());
    if (result.kind === 'delivered') return { attempts: attempt };
    if (result.kind === 'permanent') {
      throw new PermanentDeliveryError(
        `Slack refused the message: ${result.status} ${result.slackError}`,
        result.status,
        result.slackError,
      );
    }
    last = result.reason;
    if (attempt === maxAttempts) break;
    if (result.retryAfterMs !== undefined && result.retryAfterMs > maxRetryAfterMs) {
      throw unavailable(attempt, `${last}; Slack asked to wait ${result.retryAfterMs / 1_000} s`);
    }
    const wait = result.retryAfterMs ?? backoffMs(attempt, random, baseDelayMs, maxDelayMs);
    if (now() + wait + MIN_ATTEMPT_MS > deadline) {
      throw unavailable(attempt, `${last}; not enough time left to wait ${wait} ms`);
    }
    // Paced: the wait ends at the retry's slot, claimed at the top of the loop.
    if (options.pace) notBefore = now() + wait;
    else await sleep(wait);
  }
  throw unavailable(maxAttempts, last);
}
