import { SEVERITY_RANK, type Severity } from '#shared/contracts/controls.ts';
import type { OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { AlarmState, SlackAlarm } from '#shared/slack/alarm.ts';
import type { SlackAlert, SlackOutcome } from '#shared/slack/inbound.ts';
import {
  type Block,
  buttons,
  context,
  fields,
  header,
  SLACK_LIMITS,
  type SlackMessage,
  section,
  textLength,
} from './block-kit.ts';
import { auditListCommand, nameResources, STATUS_WORD } from './digest-resources.ts';
import { codeBlock, compactJson, escapeMrkdwn, inlineCode, truncate } from './text.ts';

/** What each message notify-slack sends says: one alert, an alarm's state change, a storm's digest. Pure. */

/** Outcome sections shown before the rest collapse into one line: readable, and far under 50 blocks. */
const MAX_OUTCOME_BLOCKS = 20;
/** Room for before/after inside one 3,000-character section, next to the reason and actions. */
const MAX_STATE_CHARS = 1_000;
const DIGEST_TOP = 8;
/**
 * Characters of text one digest carries at most. Not a documented limit: Slack answers
 * `msg_blocks_too_long` from about 13,000 characters of block text (slackapi/bolt-js#2509), well
 * under 50 full sections. The resources get what the counts leave.
 */
export const DIGEST_MAX_CHARS = 12_000;
/** Room kept for the section giving the command that lists the resources not named. */
const DIGEST_COMMAND_ROOM = 400;

const SEVERITY_EMOJI: Record<Severity, string> = {
  CRITICAL: ':red_circle:',
  HIGH: ':large_orange_circle:',
  MEDIUM: ':large_yellow_circle:',
  LOW: ':large_blue_circle:',
  INFORMATIONAL: ':white_circle:',
};
const STATUS_LABEL: Record<OutcomeStatus, string> = {
  REMEDIATED: ':white_check_mark: Fixed',
  DETECTED: ':mag: Detected (not changed)',
  FAILED: ':x: NOT fixed',
  ALREADY_COMPLIANT: ':ballot_box_with_check: Compliant',
  SKIPPED: ':fast_forward: Skipped',
};
function whoText(alert: SlackAlert): string {
  return alert.actor.arn ? inlineCode(alert.actor.arn) : escapeMrkdwn(alert.actor.type);
}

function outcomeText(outcome: SlackOutcome): string {
  const lines = [
    `${STATUS_LABEL[outcome.status]} · *${escapeMrkdwn(outcome.title)}* · ${outcome.severity}`,
    escapeMrkdwn(outcome.reason),
  ];
  for (const action of outcome.actions) lines.push(`• ${escapeMrkdwn(action)}`);
  if (outcome.before !== undefined || outcome.after !== undefined) {
    const state: string[] = [];
    if (outcome.before !== undefined)
      state.push(`before: ${truncate(compactJson(outcome.before), MAX_STATE_CHARS)}`);
    if (outcome.after !== undefined)
      state.push(`after:  ${truncate(compactJson(outcome.after), MAX_STATE_CHARS)}`);
    lines.push(codeBlock(state.join('\n')));
  }
  return lines.join('\n');
}

/** Each control once, with the compliance ids it maps to, one per line. */
function controlsText(outcomes: readonly SlackOutcome[]): string {
  const seen = new Map<string, readonly string[]>();
  for (const outcome of outcomes)
    if (!seen.has(outcome.controlId)) seen.set(outcome.controlId, outcome.compliance);
  return [...seen]
    .map(
      ([id, compliance]) =>
        `*Control* ${inlineCode(id)}${compliance.length > 0 ? ` · ${escapeMrkdwn(compliance.join(' · '))}` : ''}`,
    )
    .join('\n');
}

export function fallbackText(alert: SlackAlert): string {
  const who = alert.actor.arn ?? alert.actor.type;
  return truncate(
    escapeMrkdwn(
      `${alert.severity}: ${alert.title} (${alert.eventName} by ${who} in account ${alert.accountId}, ${alert.region})`,
    ),
    SLACK_LIMITS.fallbackText,
  );
}

/** Where else an alert points: Warden's dashboard (set by the stack, infra/constructs/dashboard.ts). */
export interface AlertLinks {
  readonly dashboardUrl?: string;
}

const dashboardLink = (elsewhere: AlertLinks) =>
  elsewhere.dashboardUrl ? ` · <${elsewhere.dashboardUrl}|Dashboard>` : '';

/** One alert as a Block Kit message: who did what where, what Warden did, and where to look. Pure. */
export function toSlackMessage(alert: SlackAlert, elsewhere: AlertLinks = {}): SlackMessage {
  const shown = alert.outcomes.slice(0, MAX_OUTCOME_BLOCKS);
  const hidden = alert.outcomes.length - shown.length;
  const links = buttons([
    { label: 'Open resource in AWS console', url: alert.links.resource, id: 'open-resource' },
    { label: 'View CloudTrail event', url: alert.links.cloudTrailEvent, id: 'open-cloudtrail-event' },
  ]);
  const when = alert.eventTime ? ` at ${escapeMrkdwn(alert.eventTime)}` : '';
  const blocks: Block[] = [
    header(`${SEVERITY_EMOJI[alert.severity]} ${alert.severity}: ${alert.title}`),
    section(
      `*What happened*\n${inlineCode(alert.eventName)} on ${inlineCode(alert.resource)}${when}` +
        (alert.summary ? `\n${escapeMrkdwn(alert.summary)}` : ''),
    ),
    fields([
      `*Who*\n${whoText(alert)}`,
      `*Source IP*\n${alert.sourceIp ? inlineCode(alert.sourceIp) : 'unknown'}`,
      `*Account*\n${inlineCode(alert.accountId)}`,
      `*Region*\n${inlineCode(alert.region)}`,
      `*Resource*\n${escapeMrkdwn(alert.resourceType)} ${inlineCode(alert.resource)}`,
    ]),
    { type: 'divider' },
    section('*What Warden did*'),
    ...shown.map((outcome) => section(outcomeText(outcome))),
    ...(hidden > 0 ? [section(`…and ${hidden} more outcomes (truncated)`)] : []),
    ...context([controlsText(alert.outcomes)]),
    ...(links ? [links] : []),
    ...context([`Warden · CloudTrail event ${inlineCode(alert.eventId)}${dashboardLink(elsewhere)}`]),
  ];
  return { text: fallbackText(alert), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

const ALARM_EMOJI: Record<AlarmState, string> = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};

/**
 * A CloudWatch alarm state change as a short Block Kit message: which alarm, its state, why, where,
 * and a button to the alarm in the console. Pure.
 */
export function toAlarmMessage(alarm: SlackAlarm, elsewhere: AlertLinks = {}): SlackMessage {
  const links = buttons(
    alarm.consoleUrl ? [{ label: 'Open alarm in CloudWatch', url: alarm.consoleUrl, id: 'open-alarm' }] : [],
  );
  const change = alarm.previousState ? `${alarm.previousState} → ${alarm.state}` : alarm.state;
  const blocks: Block[] = [
    header(`${ALARM_EMOJI[alarm.state]} ${alarm.state}: ${alarm.name}`),
    section(
      (alarm.description ? `${escapeMrkdwn(alarm.description)}\n` : '') +
        `*Reason*\n${escapeMrkdwn(alarm.reason || 'none given')}`,
    ),
    fields([
      `*State*\n${escapeMrkdwn(change)}`,
      `*Since*\n${escapeMrkdwn(alarm.changedAt)}`,
      `*Account*\n${inlineCode(alarm.accountId)}`,
      `*Region*\n${inlineCode(alarm.region)}`,
      ...(alarm.metric ? [`*Metric*\n${inlineCode(alarm.metric)}`] : []),
    ]),
    ...(links ? [links] : []),
    ...context([`Warden · CloudWatch alarm${dashboardLink(elsewhere)}`]),
  ];
  return {
    text: truncate(
      escapeMrkdwn(
        `${alarm.state}: CloudWatch alarm ${alarm.name} in account ${alarm.accountId}, ${alarm.region}`,
      ),
      SLACK_LIMITS.fallbackText,
    ),
    blocks,
  };
}

/** Count of each key, largest first, as "key ×n" lines. */
function tally(keys: readonly string[], max: number, format: (key: string) => string): string {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, max).map(([key, count]) => `${format(key)} ×${count}`);
  if (sorted.length > max) lines.push(`+${sorted.length - max} more`);
  return lines.join('\n');
}

/** Most severe first, then oldest first: the order people should read a storm in. */
export function bySeverity(a: SlackAlert, b: SlackAlert): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.eventTime.localeCompare(b.eventTime);
}

/**
 * One message summarising alerts that were not posted one by one during a storm (an IaC run touching
 * hundreds of buckets): counts by severity, outcome, control, account and actor, then every resource
 * the message has room for, grouped by what happened; when some do not fit, the `warden audit list`
 * command that lists them. `postedSeparately` says how many alerts of the same batch were posted
 * individually.
 */
export function toDigestMessage(
  alerts: readonly SlackAlert[],
  postedSeparately: number,
  elsewhere: AlertLinks = {},
): SlackMessage {
  const sorted = [...alerts].sort(bySeverity);
  const worst = sorted[0]?.severity ?? 'INFORMATIONAL';
  const outcomes = alerts.flatMap((alert) => alert.outcomes);
  const times = alerts
    .map((alert) => alert.eventTime)
    .filter(Boolean)
    .sort();
  const total = alerts.length + postedSeparately;
  const actors = alerts.map((alert) => alert.actor.arn ?? alert.actor.type);
  const summary: Block[] = [
    header(`${SEVERITY_EMOJI[worst]} Warden digest: ${alerts.length} alerts`),
    section(
      `Warden raised *${total}* alerts together` +
        (postedSeparately > 0 ? `; the ${postedSeparately} most severe are posted separately` : '') +
        `. ${postedSeparately > 0 ? 'The other' : 'All'} ${alerts.length} are summarised here; every one is in Warden's audit trail.`,
    ),
    fields([
      `*By severity*\n${tally(
        sorted.map((alert) => alert.severity),
        DIGEST_TOP,
        (key) => key,
      )}`,
      `*By outcome*\n${tally(
        outcomes.map((outcome) => STATUS_WORD[outcome.status]),
        DIGEST_TOP,
        (key) => key,
      )}`,
      `*By control*\n${tally(
        outcomes.map((outcome) => outcome.controlId),
        DIGEST_TOP,
        inlineCode,
      )}`,
      `*By account*\n${tally(
        alerts.map((alert) => alert.accountId),
        DIGEST_TOP,
        inlineCode,
      )}`,
      `*By actor*\n${tally(actors, 5, inlineCode)}`,
    ]),
  ];
  const closing = context([
    ...(times.length > 0
      ? [`Events from ${escapeMrkdwn(times[0] ?? '')} to ${escapeMrkdwn(times.at(-1) ?? '')}`]
      : []),
    dashboardLink(elsewhere).replace(/^ · /, ''),
  ]);
  const { sections, unnamed } = nameResources(sorted, {
    chars: DIGEST_MAX_CHARS - textLength([...summary, ...closing]) - DIGEST_COMMAND_ROOM,
    sections: SLACK_LIMITS.blocks - summary.length - closing.length - 1,
  });
  const rest =
    unnamed.length > 0
      ? [
          section(
            `*${unnamed.length} more not named here* (Slack refuses longer messages). List them with\n` +
              `${inlineCode(auditListCommand(unnamed))}\n` +
              'adding `--table <prefix>-audit --region <region>` for a deployed stack.',
          ),
        ]
      : [];
  const named = sections.map(section);
  return {
    text: truncate(
      escapeMrkdwn(`Warden digest: ${alerts.length} alerts (worst ${worst}) of ${total} raised together`),
      SLACK_LIMITS.fallbackText,
    ),
    blocks: [...summary, ...named, ...rest, ...closing],
  };
}
