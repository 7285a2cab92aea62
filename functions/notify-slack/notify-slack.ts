import { describeIssues } from '#shared/guard/reject.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import type { SlackAlarm } from '#shared/slack/alarm.ts';
import {
  NotifyEventSchema,
  type NotifyResponse,
  readRecords,
  type SlackAlert,
} from '#shared/slack/inbound.ts';
import type { SlackBudget } from '#shared/slack/slack-budget.ts';
import { DEFAULT_MAX_INDIVIDUAL, individualWanted, type PlannedMessage, planMessages } from './batch-plan.ts';
import type { SlackMessage } from './block-kit.ts';
import type { DeadLetterSink } from './dead-letter.ts';
import { PermanentDeliveryError, SlackUnavailableError } from './errors.ts';
import { type Delivery, redactWebhook } from './webhook-client.ts';
import type { WebhookUrlSource } from './webhook-secret.ts';

/**
 * notify-slack's use case: parse the batch at the edge, ask the shared budget how many alerts may go
 * one by one, plan the messages (batch-plan.ts), post them in order, dead-letter what Slack refused for
 * good, and answer with the records to retry.
 */

export interface NotifySlackDeps {
  readonly webhookUrl: WebhookUrlSource;
  readonly post: (url: string, message: SlackMessage, options: { deadline: number }) => Promise<Delivery>;
  /** Where messages Slack refused for good end: the delivery queue's dead-letter queue (alarmed). */
  readonly deadLetter: DeadLetterSink;
  /** Individual alert messages in any 5 minutes, shared by all invocations (slack-budget.ts). */
  readonly budget: SlackBudget;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  readonly clock: Clock;
  /** Alerts posted one by one per invocation at most; the rest of a storm goes into one digest. */
  readonly maxIndividual?: number;
  /** Warden's dashboard: every alert's context line links to it. */
  readonly dashboardUrl?: string;
}

export interface Invocation {
  /** The Lambda's remaining time; retries and waits stop before it runs out. */
  readonly remainingTimeMs?: () => number;
}

/** Left for logging and the response after the last Slack call. */
const SAFETY_MARGIN_MS = 3_000;
/** When Lambda does not say (local invoke without a context). */
const DEFAULT_BUDGET_MS = 60_000;

const MAX_LOGGED_IDS = 20;
const logIds = (ids: readonly string[]) => ids.slice(0, MAX_LOGGED_IDS);

/** A message Slack refused for good, and what it said. */
interface Refusal {
  readonly planned: PlannedMessage;
  readonly reason: string;
}

interface DeliveryTally {
  delivered: number;
  digested: number;
  permanentFailures: number;
  readonly refused: Refusal[];
  /** Record ids to retry (SQS) or that make the invocation fail (SNS). */
  readonly failed: string[];
}

export function createNotifySlack(deps: NotifySlackDeps) {
  const maxIndividual = deps.maxIndividual ?? DEFAULT_MAX_INDIVIDUAL;

  /**
   * How many alerts this batch may post one by one: what the shared budget grants of `wanted`. When
   * the budget cannot be read or updated, the per-batch plan (`wanted`): a storm may then cost Slack
   * more messages, but no alert is held back or lost for want of a counter.
   */
  async function allowance(wanted: number, at: Date): Promise<number> {
    if (wanted === 0) return 0;
    try {
      const { granted, since, sent } = await deps.budget.take(wanted, at);
      if (granted < wanted) {
        deps.log.info('Slack message budget spent: the other alerts go into the digest', {
          since,
          sent,
          wanted,
          granted,
        });
      }
      return granted;
    } catch (error) {
      deps.log.warn('Slack message budget unavailable, using the per-batch limit', {
        error: errorText(error),
        wanted,
      });
      deps.metrics.count('SlackBudgetUnavailable');
      return wanted;
    }
  }

  /** Posts in order; stops at the first retryable failure and hands that message and the rest back. */
  async function deliver(messages: readonly PlannedMessage[], deadline: number): Promise<DeliveryTally> {
    const tally: DeliveryTally = { delivered: 0, digested: 0, permanentFailures: 0, refused: [], failed: [] };
    if (messages.length === 0) return tally;
    let url: string;
    try {
      url = await deps.webhookUrl.get();
    } catch (error) {
      // Alerts wait in the queue (then the DLQ) until the secret is fixed: never dropped.
      deps.log.error('Slack webhook URL unavailable', { error: errorText(error) });
      deps.metrics.count('SlackDeliveryFailures');
      tally.failed.push(...messages.flatMap((message) => message.recordIds));
      return tally;
    }
    for (const [index, planned] of messages.entries()) {
      const line = {
        kind: planned.kind,
        alerts: planned.eventIds.length,
        eventIds: logIds(planned.eventIds),
        ...(planned.alarmName ? { alarm: planned.alarmName } : {}),
      };
      try {
        const delivery = await deps.post(url, planned.message, { deadline });
        deps.log.info('Slack message delivered', { ...line, attempts: delivery.attempts });
        deps.metrics.count(planned.kind === 'digest' ? 'SlackDigestsDelivered' : 'SlackMessagesDelivered');
        tally.delivered += 1;
        if (planned.kind === 'digest') tally.digested += planned.eventIds.length;
      } catch (error) {
        if (error instanceof PermanentDeliveryError) {
          // Retrying gets the same answer: the records go to the dead-letter queue, whose alarm fires.
          const slackError = redactWebhook(error.slackError, url);
          deps.log.error('Slack refused the message', { ...line, status: error.status, slackError });
          deps.metrics.count('SlackDeliveryPermanentFailures');
          tally.permanentFailures += 1;
          tally.refused.push({ planned, reason: `Slack refused the message: ${error.status} ${slackError}` });
          if (error.webhookGone) deps.webhookUrl.forget();
          continue;
        }
        // Slack is down or rate limiting hard: this and every later message go back to the queue.
        const pending = messages.slice(index).flatMap((message) => message.recordIds);
        deps.log.error('Slack delivery failed, will retry', {
          ...line,
          error: errorText(error, url),
          pending: pending.length,
        });
        deps.metrics.count('SlackDeliveryFailures');
        tally.failed.push(...pending);
        break;
      }
    }
    return tally;
  }

  /**
   * Sends the records of refused messages, as they arrived, to the dead-letter queue. Returns the
   * ids it could not send: those are retried rather than lost.
   */
  async function deadLetter(refused: readonly Refusal[], bodies: ReadonlyMap<string, string>) {
    const failed: string[] = [];
    let sent = 0;
    for (const { planned, reason } of refused) {
      const records = planned.recordIds.map((id) => ({ id, body: bodies.get(id) ?? '' }));
      const result = await deps.deadLetter.send(records, reason);
      sent += result.sent;
      if (result.failed.length > 0) {
        deps.log.error('Dead-lettering a refused message failed, will retry', {
          kind: planned.kind,
          failed: result.failed.length,
          error: redactWebhook(result.failed[0]?.error ?? ''),
        });
        deps.metrics.count('SlackDeliveryFailures');
        failed.push(...result.failed.map((record) => record.id));
      }
    }
    if (sent > 0) deps.log.warn('Refused messages sent to the dead-letter queue', { records: sent });
    return { sent, failed };
  }

  return async function notifySlack(event: unknown, invocation: Invocation = {}): Promise<NotifyResponse> {
    const parsed = NotifyEventSchema.safeParse(event);
    if (!parsed.success) {
      // Neither SNS nor SQS: no record to retry, and retrying would not change it.
      deps.log.error('Event rejected', {
        reason: `Not an SNS or SQS event: ${describeIssues(parsed.error.issues)}`,
      });
      deps.metrics.count('EventsRejected');
      return { batchItemFailures: [] };
    }
    const records = readRecords(parsed.data);
    const alerts: { id: string; alert: SlackAlert }[] = [];
    const alarms: { id: string; alarm: SlackAlarm }[] = [];
    for (const record of records) {
      if ('alert' in record) {
        alerts.push(record);
        continue;
      }
      if ('alarm' in record) {
        alarms.push(record);
        continue;
      }
      deps.log.warn('Message skipped', { messageId: record.id, reason: record.skipped });
      deps.metrics.count('NotificationsSkipped');
    }

    const remaining = invocation.remainingTimeMs?.() ?? DEFAULT_BUDGET_MS;
    const deadline = deps.clock.now().getTime() + remaining - SAFETY_MARGIN_MS;
    const allowed = await allowance(individualWanted(alerts, maxIndividual), deps.clock.now());
    const messages = planMessages(alerts, allowed, alarms, { dashboardUrl: deps.dashboardUrl });
    const { delivered, digested, permanentFailures, refused, failed } = await deliver(messages, deadline);
    const bodies = new Map(parsed.data.records.map((record) => [record.id, record.text]));
    const deadLettered = await deadLetter(refused, bodies);
    failed.push(...deadLettered.failed);

    deps.log.info('Notifications handled', {
      source: parsed.data.source,
      records: records.length,
      alerts: alerts.length,
      alarms: alarms.length,
      messages: messages.length,
      individualAllowed: allowed,
      delivered,
      permanentFailures,
      deadLettered: deadLettered.sent,
      retrying: failed.length,
    });
    if (parsed.data.source === 'sqs') {
      return { batchItemFailures: [...new Set(failed)].map((itemIdentifier) => ({ itemIdentifier })) };
    }
    // SNS invokes asynchronously: throwing makes Lambda retry the event, then send it to the DLQ.
    if (failed.length > 0) {
      throw new SlackUnavailableError(`${failed.length} SNS message(s) could not be delivered to Slack`);
    }
    return {
      delivered,
      digested,
      skipped: records.length - alerts.length - alarms.length,
      permanentFailures,
    };
  };
}

/** An error as one log field, with the webhook URL (a credential) redacted. */
function errorText(error: unknown, url?: string): string {
  return redactWebhook(error instanceof Error ? `${error.name}: ${error.message}` : String(error), url);
}
