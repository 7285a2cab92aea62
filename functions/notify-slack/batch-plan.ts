import { alarmKey, type SlackAlarm } from '#shared/slack/alarm.ts';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import type { SlackMessage } from './block-kit.ts';
import {
  type AlertLinks,
  bySeverity,
  toAlarmMessage,
  toDigestMessage,
  toSlackMessage,
} from './slack-messages.ts';

/**
 * Pure: which Slack messages one batch of queued records becomes. Alarms each once, alerts one by one
 * up to what the shared budget grants, the rest of a storm in one digest.
 */

/** One Slack message and the queue records it answers for. */
export interface PlannedMessage {
  readonly kind: 'alert' | 'digest' | 'alarm';
  readonly message: SlackMessage;
  /** The CloudTrail events of the alerts in it (none for an alarm). */
  readonly eventIds: readonly string[];
  readonly recordIds: readonly string[];
  readonly alarmName?: string;
}

/** Alerts one batch posts one by one when the deployment does not say (`NotifySlackDeps.maxIndividual`). */
export const DEFAULT_MAX_INDIVIDUAL = 5;

interface QueuedAlert {
  readonly alert: SlackAlert;
  readonly recordIds: readonly string[];
}

/** Each state change of each alarm once, in the order they came. */
function planAlarms(
  records: readonly { id: string; alarm: SlackAlarm }[],
  links: AlertLinks,
): PlannedMessage[] {
  const byKey = new Map<string, { alarm: SlackAlarm; recordIds: string[] }>();
  for (const { id, alarm } of records) {
    const key = alarmKey(alarm);
    const seen = byKey.get(key);
    if (seen) seen.recordIds.push(id);
    else byKey.set(key, { alarm, recordIds: [id] });
  }
  return [...byKey.values()].map(({ alarm, recordIds }) => ({
    kind: 'alarm',
    message: toAlarmMessage(alarm, links),
    eventIds: [],
    recordIds,
    alarmName: alarm.name,
  }));
}

/** Duplicate deliveries of an event collapse into one alert that answers for all their records. */
function distinctAlerts(records: readonly { id: string; alert: SlackAlert }[]): QueuedAlert[] {
  const byEvent = new Map<string, { alert: SlackAlert; recordIds: string[] }>();
  for (const { id, alert } of records) {
    const seen = byEvent.get(alert.eventId);
    if (seen) seen.recordIds.push(id);
    else byEvent.set(alert.eventId, { alert, recordIds: [id] });
  }
  return [...byEvent.values()];
}

/**
 * Pure: how many alerts of a batch the per-batch plan posts one by one: all of them up to
 * `maxIndividual + 1` (a digest of one alert is worse than the alert itself), else `maxIndividual`.
 * The batch asks the shared budget for that many.
 */
export function individualWanted(
  records: readonly { id: string; alert: SlackAlert }[],
  maxIndividual: number,
): number {
  const count = distinctAlerts(records).length;
  return count <= maxIndividual + 1 ? count : maxIndividual;
}

/**
 * Pure: the messages for one batch. Alarms come first (Warden itself needs attention), one message
 * per state change, never held back. Duplicate deliveries of an event collapse into one; the
 * `allowance` most severe alerts (what the shared budget granted this batch, see
 * `individualWanted`) are posted one by one and the rest summarised in one digest, so a storm of
 * 500 alerts costs Slack a bounded number of messages, not 500. Where the budget runs out mid-batch
 * the digest may hold a single alert: the budget is the bound.
 */
export function planMessages(
  records: readonly { id: string; alert: SlackAlert }[],
  allowance: number,
  alarms: readonly { id: string; alarm: SlackAlarm }[] = [],
  links: AlertLinks = {},
): PlannedMessage[] {
  const queued = distinctAlerts(records).sort((a, b) => bySeverity(a.alert, b.alert));
  // A digest of one alert is worse than the alert itself, and costs Slack the same one message.
  const posted = Math.max(0, allowance);
  const individual = queued.length === posted + 1 ? queued : queued.slice(0, posted);
  const rest = queued.slice(individual.length);
  const messages: PlannedMessage[] = planAlarms(alarms, links);
  messages.push(
    ...individual.map(
      ({ alert, recordIds }): PlannedMessage => ({
        kind: 'alert',
        message: toSlackMessage(alert, links),
        eventIds: [alert.eventId],
        recordIds,
      }),
    ),
  );
  if (rest.length > 0) {
    messages.push({
      kind: 'digest',
      message: toDigestMessage(
        rest.map((item) => item.alert),
        individual.length,
        links,
      ),
      eventIds: rest.map((item) => item.alert.eventId),
      recordIds: rest.flatMap((item) => item.recordIds),
    });
  }
  return messages;
}
