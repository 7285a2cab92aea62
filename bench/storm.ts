/**
 * The storm scenario of `npm run bench` (issue 15, "Speed and bounds"): 500 violations' alerts in
 * about a minute, delivered as production delivers them. notify-slack's real use case and wiring
 * (createNotifySlackRuntime: the webhook secret, the budget and the send pace in the idempotency table
 * and the dead-letter queue, all in moto) run in two "containers", fed SQS-like batches (up to 200
 * alerts, or what arrived within 20 s, at most two invocations at once, each with Lambda's 60 s), and
 * post to a local Slack-like webhook that answers 429 with `Retry-After: 1` above one message a second.
 *
 * Compressed, and said so in the report: the run's clock is shifted (the use case's clock and the
 * webhook client's, consistently) to put the storm where it should be against the 5-minute budget
 * window, and records an invocation hands back are received again at once, with the queue's
 * visibility timeout (6 min) added to their delay instead of waited for.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Policy } from '#shared/policy/schema.ts';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import { BUDGET_SENT_KEY } from '#shared/slack/slack-budget.ts';
import type { LocalClients } from '../cli/local/clients.ts';
import { functionEnvironment } from '../cli/local/function-env.ts';
import type { LocalConfig } from '../cli/local/local-config.ts';
import { PROJECT_ROOT } from '../cli/local/paths.ts';
import { createNotifySlack, type NotifySlackDeps } from '../functions/notify-slack/notify-slack.ts';
import { PACE_KEY } from '../functions/notify-slack/webhook-pace.ts';
import { createNotifySlackRuntime } from '../functions/notify-slack/wiring.ts';
import {
  ALERT_BATCH_SIZE,
  ALERT_BATCH_WINDOW,
  ALERT_MAX_CONCURRENCY,
  ALERT_MAX_RECEIVE_COUNT,
  ALERT_QUEUE_VISIBILITY,
  NOTIFY_SLACK_TIMEOUT,
} from '../infra/constructs/slack-delivery.ts';

/** The bounds for one storm, at any alignment to the budget window. */
export const STORM_BOUNDS = { messages: 20, lost: 0, latestDelayMs: 120_000 } as const;

export interface StormAlignment {
  readonly name: string;
  /** In the storm's bucket names, so each run's resources are its own. */
  readonly tag: string;
  /** Where the storm's first alert falls, in ms after a 5-minute boundary of the (shifted) clock. */
  readonly startAfterBoundaryMs: number;
}

export interface StormResult {
  readonly alignment: string;
  /** The shifted clock at the storm's first alert (the budget's time). */
  readonly clockAtStart: string;
  readonly alerts: number;
  readonly producedOverSeconds: number;
  readonly invocations: number;
  readonly batchSizes: readonly number[];
  /** Messages Slack accepted (200). */
  readonly slackMessages: number;
  readonly rateLimited429s: number;
  /** From an alert's enqueue to the post of the message carrying it, at worst. */
  readonly latestDelaySeconds: number;
  /** Named in an accepted message. */
  readonly resourcesNamed: number;
  /** Named, or listed by a digest's `npx warden audit list --since` command. */
  readonly resourcesReachable: number;
  /** Never acknowledged, or dead-lettered (Slack refused them for good). */
  readonly lost: number;
  /** Records an invocation handed back (each would wait a visibility timeout). */
  readonly redelivered: number;
  readonly wallSeconds: number;
  readonly unmet: readonly string[];
}

const WINDOW_MS = 5 * 60_000;
const TICK_MS = 25;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- A Slack-like webhook with Slack's pace -----------------------------------------------

interface RateLimitedSlack {
  readonly url: string;
  /** Bodies of the messages accepted (200), with the time each was accepted. */
  readonly accepted: { readonly at: number; readonly body: string }[];
  rejected: number;
  close(): Promise<void>;
}

/** Accepts a message when the last accepted one is at least a second old; otherwise 429, `Retry-After: 1`. */
async function startRateLimitedSlack(): Promise<RateLimitedSlack> {
  const path = '/services/T00000000/B00000000/BENCHSTORMXXXXXXXXXXXXXX';
  let last = Number.NEGATIVE_INFINITY;
  const state: { accepted: { at: number; body: string }[]; rejected: number } = {
    accepted: [],
    rejected: 0,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== path) {
        res.writeHead(404).end('no_service');
        return;
      }
      const now = Date.now();
      if (now - last < 1_000) {
        state.rejected += 1;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('rate_limited');
        return;
      }
      last = now;
      state.accepted.push({ at: now, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    get accepted() {
      return state.accepted;
    },
    get rejected() {
      return state.rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- Alerts --------------------------------------------------------------------------------

/** The sample alert's SNS message, the template of every storm alert. */
function alertTemplate(): { message: Record<string, unknown>; alert: SlackAlert } {
  const sample = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'events', 'sns', 'alert-s3-remediated.json'), 'utf8'),
  ) as { Records: { Sns: { Message: string } }[] };
  const message = JSON.parse(sample.Records[0]?.Sns.Message ?? '{}');
  return { message, alert: JSON.parse(message.metadata.additionalContext.alert) as SlackAlert };
}

/**
 * Bucket names of a storm: half short, half the 63 characters S3 allows, with a fixed-width index
 * so that no name is part of another.
 */
const bucketName = (tag: string, index: number) => {
  const short = `storm-${tag}-${String(index).padStart(3, '0')}`;
  return index % 2 === 0 ? short : `${short}-`.padEnd(63, 'x');
};

function stormAlert(template: SlackAlert, bucket: string, index: number, eventTime: string): SlackAlert {
  return {
    ...template,
    eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    title: `Warden repaired ${bucket}`,
    summary: `Bucket ${bucket} default encryption is SSE-S3 (AES256).`,
    resource: bucket,
    eventTime,
    outcomes: template.outcomes.map((outcome) => ({ ...outcome, resource: bucket })),
    links: { ...template.links, resource: `https://s3.console.aws.amazon.com/s3/buckets/${bucket}` },
  };
}

/** The SQS body of an alert: the SNS notification (raw delivery off), as SNS → SQS delivers it. */
function sqsBody(message: Record<string, unknown>, alert: SlackAlert): string {
  const meta = message.metadata as { additionalContext: Record<string, string> };
  const copy = {
    ...message,
    metadata: { ...meta, additionalContext: { ...meta.additionalContext, alert: JSON.stringify(alert) } },
  };
  return JSON.stringify({
    Type: 'Notification',
    MessageId: `sns-${alert.eventId}`,
    Message: JSON.stringify(copy),
  });
}

// ---- The storm -----------------------------------------------------------------------------

interface Queued {
  readonly index: number;
  readonly body: string;
  readonly enqueuedAt: number;
  receives: number;
  /** Visibility timeouts this alert would have waited (added to its delay, not waited). */
  penaltyMs: number;
}

/** What each alert is: its resource and event time, and when it reached Slack. */
interface Tracked {
  readonly bucket: string;
  readonly eventTime: string;
  enqueuedAt?: number;
  deliveredAt?: number;
  penaltyMs: number;
  lost: boolean;
}

export async function runStorm(
  alignment: StormAlignment,
  input: {
    readonly config: LocalConfig;
    readonly policy: Policy;
    readonly clients: LocalClients;
    readonly alerts: number;
    readonly overMs: number;
    readonly quietEnv: Readonly<Record<string, string>>;
  },
): Promise<StormResult> {
  const { config, clients, alerts: total, overMs } = input;
  const slack = await startRateLimitedSlack();
  try {
    // The webhook secret holds this server's URL; each storm starts after a quiet 5 minutes.
    await clients.secretsManager.send(
      new PutSecretValueCommand({ SecretId: config.slackWebhookSecretArn, SecretString: slack.url }),
    );
    for (const key of [BUDGET_SENT_KEY, PACE_KEY]) {
      await clients.dynamodb.send(
        new DeleteItemCommand({ TableName: config.idempotencyTable, Key: { id: { S: key } } }),
      );
    }

    // The clock every container of this run reads: the storm's first alert lands where the alignment says.
    const startReal = Date.now() + 1_000;
    const boundary = Math.ceil((startReal + 60_000) / WINDOW_MS) * WINDOW_MS;
    const offsetMs = boundary + alignment.startAfterBoundaryMs - startReal;
    const shifted = () => Date.now() + offsetMs;

    // notify-slack's real wiring, one runtime per container (each a cold start), with the shifted clock.
    const env = { ...functionEnvironment(input.config, input.policy, 'notify-slack'), ...input.quietEnv };
    if (!('AWS_SESSION_TOKEN' in env)) delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, env);
    const template = alertTemplate();
    const tracked: Tracked[] = Array.from({ length: total }, (_, index) => {
      const bucket = bucketName(alignment.tag, index);
      return { bucket, eventTime: '', penaltyMs: 0, lost: false };
    });
    const deadLettered = new Set<number>();
    const containers = Array.from({ length: ALERT_MAX_CONCURRENCY }, () => {
      const { deps } = createNotifySlackRuntime(env);
      const posted: { at: number; body: string }[] = [];
      const shiftedDeps: NotifySlackDeps = {
        ...deps,
        clock: { now: () => new Date(shifted()) },
        post: async (url, message, options) => {
          // The webhook client's clock (its deadline and the shared pace) is the use case's.
          const withClock = { ...options, now: shifted };
          const delivery = await deps.post(url, message, withClock);
          posted.push({ at: Date.now(), body: JSON.stringify(message) });
          return delivery;
        },
        deadLetter: {
          send: async (records, reason) => {
            for (const record of records) deadLettered.add(indexOfRecord(record.id));
            return deps.deadLetter.send(records, reason);
          },
        },
      };
      return { notify: createNotifySlack(shiftedDeps), posted };
    });

    const queue: Queued[] = [];
    let produced = 0;
    let inFlight = 0;
    const batchSizes: number[] = [];
    let redelivered = 0;
    const started = Date.now();

    const producer = (async () => {
      const interval = overMs / total;
      for (let index = 0; index < total; index++) {
        const due = startReal + index * interval;
        if (due > Date.now()) await sleep(due - Date.now());
        const item = tracked[index] as Tracked;
        const eventTime = new Date(shifted()).toISOString();
        Object.assign(item, { eventTime, enqueuedAt: Date.now() });
        const alert = stormAlert(template.alert, item.bucket, index, eventTime);
        queue.push({
          index,
          body: sqsBody(template.message, alert),
          enqueuedAt: Date.now(),
          receives: 0,
          penaltyMs: 0,
        });
        produced += 1;
      }
    })();

    // Lambda's SQS poller: one batch at a time gathered (up to 200, or what came within 20 s of the
    // first), handed to a free container; at most two invocations at once.
    let gathering = false;
    const consume = async (container: (typeof containers)[number]) => {
      for (;;) {
        if (produced === total && queue.length === 0 && inFlight === 0) return;
        if (gathering || queue.length === 0) {
          await sleep(TICK_MS);
          continue;
        }
        gathering = true;
        const opened = Date.now();
        while (queue.length < ALERT_BATCH_SIZE && Date.now() - opened < ALERT_BATCH_WINDOW.toMilliseconds())
          await sleep(TICK_MS);
        const batch = queue.splice(0, ALERT_BATCH_SIZE);
        inFlight += batch.length;
        gathering = false;
        batchSizes.push(batch.length);
        for (const record of batch) record.receives += 1;
        const event = {
          Records: batch.map((record) => ({
            messageId: recordId(record),
            receiptHandle: `rh-${recordId(record)}`,
            body: record.body,
            attributes: {},
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${config.region}:${config.accountId}:warden-notify-slack`,
            awsRegion: config.region,
          })),
        };
        const invoked = Date.now();
        const timeoutMs = NOTIFY_SLACK_TIMEOUT.toMilliseconds();
        const postsBefore = container.posted.length;
        let failedIds: Set<string>;
        try {
          const response = await container.notify(event, {
            remainingTimeMs: () => Math.max(0, timeoutMs - (Date.now() - invoked)),
          });
          failedIds = new Set(
            'batchItemFailures' in response ? response.batchItemFailures.map((f) => f.itemIdentifier) : [],
          );
        } catch {
          failedIds = new Set(batch.map(recordId));
        }
        const posts = container.posted.slice(postsBefore);
        for (const record of batch) {
          const item = tracked[record.index] as Tracked;
          if (failedIds.has(recordId(record))) {
            redelivered += 1;
            if (record.receives >= ALERT_MAX_RECEIVE_COUNT) item.lost = true;
            else {
              record.penaltyMs += ALERT_QUEUE_VISIBILITY.toMilliseconds();
              queue.push(record);
            }
            continue;
          }
          if (deadLettered.has(record.index)) {
            item.lost = true;
            continue;
          }
          // The message naming it, else the batch's digest (it counts the alert and lists the rest).
          const carrying =
            posts.find((post) => names(post.body, item.bucket)) ??
            posts.find((post) => post.body.includes('"Warden digest')) ??
            posts.at(-1);
          item.deliveredAt = carrying?.at ?? Date.now();
          item.penaltyMs = record.penaltyMs;
        }
        inFlight -= batch.length;
      }
    };
    await Promise.all([producer, ...containers.map(consume)]);
    const wallSeconds = (Date.now() - started) / 1_000;

    // What a person in the channel can reach: every resource named, or listed by a command given.
    const bodies = slack.accepted.map((message) => message.body);
    const sinces = bodies.flatMap((body) =>
      [...body.matchAll(/npx warden audit list --since (\d{4}-\d\d-\d\dT[\d:.]+Z)/g)].map((m) =>
        Date.parse(m[1] ?? ''),
      ),
    );
    const named = tracked.filter((item) => bodies.some((body) => names(body, item.bucket)));
    const reachable = tracked.filter(
      (item) =>
        bodies.some((body) => names(body, item.bucket)) ||
        sinces.some((since) => since <= Date.parse(item.eventTime)),
    );
    const lost = tracked.filter((item) => item.lost || item.deliveredAt === undefined).length;
    const delays = tracked
      .filter((item) => item.deliveredAt !== undefined && item.enqueuedAt !== undefined)
      .map((item) => (item.deliveredAt ?? 0) - (item.enqueuedAt ?? 0) + item.penaltyMs);
    const latestDelayMs = Math.max(0, ...delays);

    const unmet = [
      ...(slack.accepted.length > STORM_BOUNDS.messages
        ? [`${slack.accepted.length} Slack messages > ${STORM_BOUNDS.messages}`]
        : []),
      ...(lost > STORM_BOUNDS.lost ? [`${lost} alerts lost`] : []),
      ...(reachable.length < total
        ? [`${total - reachable.length} of ${total} resources reachable from no message`]
        : []),
      ...(latestDelayMs > STORM_BOUNDS.latestDelayMs
        ? [
            `latest alert ${(latestDelayMs / 1_000).toFixed(1)} s after its event > ${STORM_BOUNDS.latestDelayMs / 1_000} s`,
          ]
        : []),
    ];
    return {
      alignment: alignment.name,
      clockAtStart: new Date(startReal + offsetMs).toISOString(),
      alerts: total,
      producedOverSeconds: overMs / 1_000,
      invocations: batchSizes.length,
      batchSizes,
      slackMessages: slack.accepted.length,
      rateLimited429s: slack.rejected,
      latestDelaySeconds: Number((latestDelayMs / 1_000).toFixed(1)),
      resourcesNamed: named.length,
      resourcesReachable: reachable.length,
      lost,
      redelivered,
      wallSeconds: Number(wallSeconds.toFixed(1)),
      unmet,
    };
  } finally {
    await slack.close();
  }
}

const recordId = (record: Pick<Queued, 'index' | 'receives'>) => `storm-${record.index}-${record.receives}`;
const indexOfRecord = (id: string) => Number(id.split('-')[1]);

/** Whether a message names the bucket as a whole name (not as part of a longer one). */
function names(body: string, bucket: string): boolean {
  let from = body.indexOf(bucket);
  while (from !== -1) {
    const before = body[from - 1] ?? '';
    const after = body[from + bucket.length] ?? '';
    if (!/[a-z0-9.-]/.test(before) && !/[a-z0-9.-]/.test(after)) return true;
    from = body.indexOf(bucket, from + 1);
  }
  return false;
}
