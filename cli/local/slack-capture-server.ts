import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers like a Slack incoming webhook (tests script its answers; the demo
 * and `warden local invoke notify-slack` use it to show what Slack would receive): records every payload and replies
 * with a scripted answer per request (then `200 ok` once the script is used up). Bounded (body size,
 * requests kept, lifetime) and self-stopping, so a forgotten `close()` never hangs a test run.
 */
export type SlackReply =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly status: number; readonly body: string; readonly retryAfter?: string }
  /** Holds the response until `delayMs` has passed (or the server closes): a client timeout fires first. */
  | { readonly kind: 'slow'; readonly delayMs: number };

export const reply = {
  ok: (): SlackReply => ({ kind: 'ok' }),
  rateLimited: (retryAfterSeconds: number): SlackReply => ({
    kind: 'error',
    status: 429,
    body: 'rate_limited',
    retryAfter: String(retryAfterSeconds),
  }),
  noService: (): SlackReply => ({ kind: 'error', status: 404, body: 'no_service' }),
  channelNotFound: (): SlackReply => ({ kind: 'error', status: 404, body: 'channel_not_found' }),
  archived: (): SlackReply => ({ kind: 'error', status: 410, body: 'channel_is_archived' }),
  prohibited: (): SlackReply => ({ kind: 'error', status: 403, body: 'action_prohibited' }),
  invalidBlocks: (): SlackReply => ({ kind: 'error', status: 400, body: 'invalid_blocks' }),
  invalidPayload: (): SlackReply => ({ kind: 'error', status: 400, body: 'invalid_payload' }),
  serverError: (): SlackReply => ({ kind: 'error', status: 500, body: 'internal_error' }),
  slow: (delayMs = 30_000): SlackReply => ({ kind: 'slow', delayMs }),
};

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  readonly payload: unknown;
}

export interface FakeSlackServer {
  /** The webhook URL to post to (a secret-looking path, as Slack's are). */
  readonly url: string;
  readonly received: readonly ReceivedRequest[];
  /** Queues replies for the next requests, in order. */
  script(...replies: SlackReply[]): void;
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  readonly path?: string;
  readonly maxBodyBytes?: number;
  readonly maxRecorded?: number;
  /** The server stops by itself after this long. */
  readonly lifetimeMs?: number;
  /** Port on 127.0.0.1; 0 (default) lets the OS choose a free one. */
  readonly port?: number;
}

const DEFAULTS = {
  path: '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  maxBodyBytes: 1_000_000,
  maxRecorded: 1_000,
  lifetimeMs: 120_000,
  port: 0,
};

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Where `warden local invoke notify-slack` runs the capture server: port and webhook path on 127.0.0.1. */
export interface CaptureAddress {
  readonly port: number;
  readonly path: string;
}

/**
 * The capture server runs only while the webhook secret holds the capture URL `warden local up` wrote.
 * Any other URL is the user's own receiver, even on this machine: notify-slack posts to it, and a
 * capture server on its port would either fail (EADDRINUSE) or swallow the messages.
 */
export function captureAddressFor(
  webhookUrl: string | undefined,
  captureUrl: string,
): CaptureAddress | undefined {
  if (webhookUrl !== captureUrl) return undefined;
  const url = new URL(captureUrl);
  return { port: Number(url.port || 80), path: url.pathname };
}

export async function startFakeSlackServer(options: FakeSlackOptions = {}): Promise<FakeSlackServer> {
  const settings = { ...DEFAULTS, ...options };
  const received: ReceivedRequest[] = [];
  const queue: SlackReply[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };

  function answer(req: IncomingMessage, res: ServerResponse, body: string) {
    if (req.method !== 'POST' || req.url !== settings.path) return send(res, 404, 'no_service');
    if (received.length < settings.maxRecorded) {
      received.push({
        method: req.method,
        path: req.url,
        contentType: req.headers['content-type'],
        payload: parse(body),
      });
    }
    const next = queue.shift() ?? reply.ok();
    if (next.kind === 'ok') return send(res, 200, 'ok');
    if (next.kind === 'error') {
      return send(res, next.status, next.body, next.retryAfter ? { 'retry-after': next.retryAfter } : {});
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, 200, 'ok');
    }, next.delayMs);
    timer.unref();
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > settings.maxBodyBytes) {
        send(res, 413, 'request_too_large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => resolve());
  });
  server.unref();

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      // Held (slow) responses and keep-alive sockets would otherwise keep close() waiting.
      server.closeAllConnections();
    });
    return closed;
  };
  const lifetime = setTimeout(() => void close(), settings.lifetimeMs);
  lifetime.unref();

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${settings.path}`,
    received,
    script: (...replies) => {
      queue.push(...replies);
    },
    close: () => {
      clearTimeout(lifetime);
      return close();
    },
  };
}
