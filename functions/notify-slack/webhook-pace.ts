import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { classifyError } from '#shared/errors/errors.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';
import { BUDGET_KEY_PREFIX } from '#shared/slack/slack-budget.ts';
import { SlackBudgetError } from './errors.ts';

/**
 * One send slot per interval for the webhook, shared by every notify-slack invocation: each post
 * (first attempt or retry) claims the next free slot and waits for it, so two invocations take turns
 * at Slack's pace instead of both posting, both getting 429 and both waiting the same `Retry-After`
 * (lockstep, where one can lose every time and its batch goes back to the queue for a visibility
 * timeout). Slots are handed out in the order they are claimed: a sender that got 429 claims the
 * first slot after `Retry-After`, and everyone claiming later queues behind it.
 */
export interface WebhookPace {
  /**
   * Claims the first free send slot at or after `notBefore` (epoch ms) and returns its time; the next
   * slot is one interval later. Returns undefined, claiming nothing, when the first free slot is
   * after `latest`. Throws when the pace cannot be read or updated.
   */
  claim(notBefore: number, latest: number): Promise<number | undefined>;
}

/**
 * Slack allows about one message per second per webhook (short bursts pass). A tenth more keeps posts
 * from two invocations, whose requests reach Slack with different latencies, under that rate.
 */
export const SLACK_PACE_MS = 1_100;

/** The item holding the next free send time (the notify-slack role may update only `slack-budget#*` items). */
export const PACE_KEY = `${BUDGET_KEY_PREFIX}pace`;

const NEXT = 'next';
const EXPIRATION = 'expiration';
/** The item is worth nothing an hour after its last slot; DynamoDB TTL deletes it later still. */
const EXPIRY_S = 3_600;

/** Pure: the slot `claim` gives, and the next free time after it; undefined when it is after `latest`. */
export function claimSlot(
  next: number | undefined,
  notBefore: number,
  latest: number,
  intervalMs: number,
): { readonly slot: number; readonly next: number } | undefined {
  const slot = next === undefined || next <= notBefore ? notBefore : next;
  return slot > latest ? undefined : { slot, next: slot + intervalMs };
}

/**
 * The pace as one item in the idempotency table holding the next free send time, claimed without a
 * read: when the webhook is free at `notBefore`, a conditional SET makes `notBefore` the slot; when
 * it is not, a conditional ADD moves the next free time one interval on and the slot is the time it
 * moved from. The next free time only grows, so a failed ADD means the first free slot is after
 * `latest`. Needs only dynamodb:UpdateItem on the budget's keys.
 */
export function dynamoDbWebhookPace(
  client: Pick<DynamoDBClient, 'send'>,
  tableName: string,
  intervalMs: number = SLACK_PACE_MS,
): WebhookPace {
  const context = `claiming a Slack send slot in ${PACE_KEY} in ${tableName}`;
  const update = async (input: {
    expression: string;
    condition: string;
    values: Record<string, number>;
  }): Promise<number | undefined> => {
    try {
      const output = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { id: { S: PACE_KEY } },
          UpdateExpression: input.expression,
          ConditionExpression: input.condition,
          ExpressionAttributeNames: { '#next': NEXT, '#expiration': EXPIRATION },
          ExpressionAttributeValues: Object.fromEntries(
            Object.entries(input.values).map(([name, value]) => [name, { N: String(value) }]),
          ),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const next = Number(output.Attributes?.[NEXT]?.N);
      if (!Number.isSafeInteger(next))
        throw new SlackBudgetError(`${PACE_KEY} in ${tableName} returned no time`);
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error instanceof SlackBudgetError ? error : classifyError(error, context);
    }
  };
  return {
    async claim(notBefore, latest) {
      if (notBefore > latest) return undefined;
      const expiration = Math.floor(latest / 1_000) + EXPIRY_S;
      const free = await update({
        expression: 'SET #next = :next, #expiration = :expiration',
        condition: 'attribute_not_exists(#next) OR #next <= :notBefore',
        values: { ':next': notBefore + intervalMs, ':notBefore': notBefore, ':expiration': expiration },
      });
      if (free !== undefined) return notBefore;
      const moved = await update({
        expression: 'ADD #next :interval SET #expiration = :expiration',
        condition: '#next > :notBefore AND #next <= :latest',
        values: {
          ':interval': intervalMs,
          ':notBefore': notBefore,
          ':latest': latest,
          ':expiration': expiration,
        },
      });
      return moved === undefined ? undefined : moved - intervalMs;
    },
  };
}

/**
 * A pace that never stops a post: when the shared pace cannot be used (the table unreachable), the
 * post goes at `notBefore` plus a random part of an interval, so invocations at least do not wait in
 * lockstep; logged and counted with the budget's metric (both live in the same table).
 */
export function tolerantPace(
  pace: WebhookPace,
  deps: {
    readonly log: Pick<Log, 'warn'>;
    readonly metrics: MetricsRecorder;
    readonly random?: () => number;
  },
  intervalMs: number = SLACK_PACE_MS,
): WebhookPace {
  const random = deps.random ?? Math.random;
  return {
    async claim(notBefore, latest) {
      try {
        return await pace.claim(notBefore, latest);
      } catch (error) {
        deps.log.warn('Slack send pace unavailable, posting with a random delay', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        deps.metrics.count('SlackBudgetUnavailable');
        const at = notBefore + Math.floor(random() * intervalMs);
        return at > latest ? undefined : at;
      }
    },
  };
}
