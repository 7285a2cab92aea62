import type { OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import { SLACK_LIMITS } from './block-kit.ts';
import { escapeMrkdwn, inlineCode } from './text.ts';

/**
 * Pure: how a storm's digest names every resource it can within Slack's limits, and the one
 * `warden audit list` command that lists the rest when they cannot all fit.
 */

export const STATUS_WORD: Record<OutcomeStatus, string> = {
  REMEDIATED: 'fixed',
  DETECTED: 'detected',
  FAILED: 'not fixed',
  ALREADY_COMPLIANT: 'compliant',
  SKIPPED: 'skipped',
};

export interface ResourceNaming {
  /** Section texts, each within Slack's 3,000 characters, naming resources grouped by what happened. */
  readonly sections: readonly string[];
  /** Alerts whose resource no section names: the message had no room left. */
  readonly unnamed: readonly SlackAlert[];
}

export interface NamingRoom {
  /** Characters all the sections may use together. */
  readonly chars: number;
  /** Sections (blocks) they may use. */
  readonly sections: number;
}

/** What happened, the same for every resource of a group: severity, event, where, outcomes. */
function groupHeading(alert: SlackAlert): string {
  const outcomes = [...new Set(alert.outcomes.map((outcome) => STATUS_WORD[outcome.status]))].join(', ');
  return `*${alert.severity} · ${escapeMrkdwn(alert.eventName)} · ${alert.accountId}/${escapeMrkdwn(alert.region)}${outcomes ? ` · ${escapeMrkdwn(outcomes)}` : ''}*`;
}

/** Alerts by group (first seen first), and within a group by resource (a resource named once, ×n). */
function groupsOf(sorted: readonly SlackAlert[]): Map<string, Map<string, SlackAlert[]>> {
  const groups = new Map<string, Map<string, SlackAlert[]>>();
  for (const alert of sorted) {
    const heading = groupHeading(alert);
    const group = groups.get(heading) ?? new Map<string, SlackAlert[]>();
    groups.set(heading, group);
    group.set(alert.resource, [...(group.get(alert.resource) ?? []), alert]);
  }
  return groups;
}

/**
 * Names the resources of `sorted` (in that order, grouped by what happened) in as many sections as
 * `room` allows, never cutting a name: a group that does not fit one section continues in the next.
 * What does not fit at all is returned as `unnamed`.
 */
export function nameResources(
  sorted: readonly SlackAlert[],
  room: NamingRoom,
  title = '*Resources*',
): ResourceNaming {
  const sections: string[] = [];
  const named = new Set<SlackAlert>();
  let used = 0;
  let current = title;
  const fits = (piece: string) =>
    current.length + piece.length <= SLACK_LIMITS.sectionText &&
    used + current.length + piece.length <= room.chars;
  const flush = () => {
    sections.push(current);
    used += current.length;
    current = '';
  };
  naming: for (const [heading, group] of groupsOf(sorted)) {
    let opened = false;
    for (const [resource, alerts] of group) {
      const token = `${inlineCode(resource)}${alerts.length > 1 ? ` ×${alerts.length}` : ''}`;
      const opening = (continued: boolean) => `${heading}${continued ? ' (continued)' : ''}\n${token}`;
      let piece = opened ? `, ${token}` : `${current ? '\n' : ''}${opening(false)}`;
      if (!fits(piece)) {
        if (named.size === 0 || current === '' || sections.length + 1 >= room.sections) break naming;
        flush();
        piece = opening(opened);
        if (!fits(piece)) break naming;
      }
      current += piece;
      opened = true;
      for (const alert of alerts) named.add(alert);
    }
  }
  if (named.size > 0 && current) flush();
  return { sections, unnamed: sorted.filter((alert) => !named.has(alert)) };
}

/**
 * The `warden audit list` command that lists every alert of `unnamed`: every action Warden recorded
 * since the earliest of their events (Warden records an action after its event, so none is missed;
 * actions on other resources in that time are listed too). Without any event time, the whole trail.
 */
export function auditListCommand(unnamed: readonly SlackAlert[]): string {
  const times = unnamed.map((alert) => Date.parse(alert.eventTime)).filter((time) => !Number.isNaN(time));
  if (times.length < unnamed.length || times.length === 0) return 'npx warden audit list';
  return `npx warden audit list --since ${new Date(Math.min(...times)).toISOString()}`;
}
