import type { ControlId } from '#shared/contracts/controls.ts';

/**
 * "Never fight forever": when another actor keeps re-applying what Warden repairs, Warden says so once,
 * then either keeps repairing quietly (CRITICAL exposure, reported again every hour) or pauses enforcement
 * of that control on that resource for a cool-down. Pure: the state is read and written by the caller.
 */

/** The policy's `fights` section. */
export interface FightSettings {
  /** Repairs of one resource and control within the window that make a fight. */
  readonly repairs: number;
  readonly windowMinutes: number;
  /** How long enforcement pauses in a non-critical fight. */
  readonly coolDownMinutes: number;
}

/** A CRITICAL fight is reported again at most this often, while it goes on. */
export const FIGHT_REPORT_EVERY_MINUTES = 60;
/** Repairs kept per control while a critical fight goes on (the count is exact, the list is a sample). */
const MAX_KEPT_REPAIRS = 50;

/** Who made the change Warden repaired, as CloudTrail names them. */
export interface Opponent {
  /** The IAM principal (for a session: its role), else the caller ARN, else the identity type. */
  readonly principal: string;
  readonly userAgent?: string;
}

export interface Repair {
  readonly at: string;
  readonly eventId: string;
  /** Absent when the sweep found the drift: no CloudTrail event names who made it. */
  readonly by?: Opponent;
}

export interface Fight {
  readonly startedAt: string;
  /** CRITICAL exposure: Warden keeps repairing (quietly) instead of pausing. */
  readonly critical: boolean;
  readonly lastReportAt: string;
  readonly lastRepairAt: string;
  /** Repairs since the last report (exact; `ControlFight.repairs` keeps a sample of them). */
  readonly repairsSinceReport: number;
  /** Non-critical fights: enforcement is paused until then. */
  readonly pausedUntil?: string;
  /** The actor named in the pause reason. */
  readonly opponent: string;
}

/** One control's fight state on one resource. */
export interface ControlFight {
  /** Outside a fight: the repairs within the window. In a critical fight: those since the last report. */
  readonly repairs: readonly Repair[];
  readonly fight?: Fight;
  /** The last repair's verdict: Lambda's retry of that event gets it again instead of counting twice. */
  readonly last?: { readonly eventId: string; readonly verdict: FightVerdict };
}

/** Every control's fight state on one resource (one account and region). */
export type FightState = Readonly<Partial<Record<ControlId, ControlFight>>>;

export interface OpponentTally extends Opponent {
  readonly repairs: number;
}

/** What an alert says about a fight: who, how often, and what Warden does now. */
export interface FightReport {
  readonly controlId: ControlId;
  readonly repairs: number;
  /** Over how many minutes (first repair counted to this one), at least 1. */
  readonly minutes: number;
  /** Who re-applied the change, most often first. */
  readonly opponents: readonly OpponentTally[];
  /** Repairs of drift the sweep found, made by someone CloudTrail did not show Warden. */
  readonly unseen: number;
  readonly next:
    | { readonly kind: 'repairing'; readonly nextReportAt: string }
    | { readonly kind: 'paused'; readonly until: string };
}

/**
 * none: no fight, the usual alert. started: the alert names the fight (once). silent: a critical fight
 * goes on, repaired and audited without an alert. reported: the hourly report of a critical fight.
 */
export type FightVerdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'silent' }
  | { readonly kind: 'started' | 'reported'; readonly report: FightReport };

const MINUTE_MS = 60_000;
const minutesBetween = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / MINUTE_MS;
const plusMinutes = (now: Date, minutes: number) =>
  new Date(now.getTime() + minutes * MINUTE_MS).toISOString();

/** A critical fight is over once nobody re-applied the change for an hour (or a longer window). */
function isOngoing(fight: Fight | undefined, settings: FightSettings, now: Date): fight is Fight {
  if (!fight) return false;
  if (fight.pausedUntil !== undefined) return now.getTime() < Date.parse(fight.pausedUntil);
  const quiet = Math.max(settings.windowMinutes, FIGHT_REPORT_EVERY_MINUTES);
  return minutesBetween(fight.lastRepairAt, now) < quiet;
}

export function tallyOpponents(repairs: readonly Repair[]): { opponents: OpponentTally[]; unseen: number } {
  const byKey = new Map<string, OpponentTally>();
  let unseen = 0;
  for (const { by } of repairs) {
    if (!by) {
      unseen += 1;
      continue;
    }
    const key = `${by.principal}\n${by.userAgent ?? ''}`;
    const seen = byKey.get(key);
    byKey.set(key, { ...by, repairs: (seen?.repairs ?? 0) + 1 });
  }
  return { opponents: [...byKey.values()].sort((a, b) => b.repairs - a.repairs), unseen };
}

function reportOf(
  controlId: ControlId,
  repairs: readonly Repair[],
  count: number,
  since: string,
  next: FightReport['next'],
  now: Date,
): FightReport {
  const minutes = Math.max(1, Math.round(minutesBetween(since, now)));
  return { controlId, repairs: count, minutes, ...tallyOpponents(repairs), next };
}

/**
 * Pure: one more repair of `controlId` on a resource (`critical`: its exposure is CRITICAL). Returns the
 * control's new state and what the alert should say.
 */
export function recordRepair(
  controlId: ControlId,
  entry: ControlFight | undefined,
  repair: Repair,
  critical: boolean,
  settings: FightSettings,
  now: Date,
): { entry: ControlFight; verdict: FightVerdict } {
  if (entry?.last?.eventId === repair.eventId) return { entry, verdict: entry.last.verdict };
  const judged = judgeRepair(controlId, entry, repair, critical, settings, now);
  return {
    entry: { ...judged.entry, last: { eventId: repair.eventId, verdict: judged.verdict } },
    verdict: judged.verdict,
  };
}

function judgeRepair(
  controlId: ControlId,
  entry: ControlFight | undefined,
  repair: Repair,
  critical: boolean,
  settings: FightSettings,
  now: Date,
): { entry: ControlFight; verdict: FightVerdict } {
  const at = now.toISOString();
  const fight = entry?.fight;
  if (isOngoing(fight, settings, now)) {
    // Paused, yet repaired: another event read the state before the pause was stored. Said already.
    if (fight.pausedUntil !== undefined) return { entry: entry as ControlFight, verdict: { kind: 'silent' } };
    const repairs = [...(entry?.repairs ?? []), repair].slice(-MAX_KEPT_REPAIRS);
    const count = fight.repairsSinceReport + 1;
    if (minutesBetween(fight.lastReportAt, now) < FIGHT_REPORT_EVERY_MINUTES)
      return {
        entry: { repairs, fight: { ...fight, lastRepairAt: at, repairsSinceReport: count } },
        verdict: { kind: 'silent' },
      };
    const next = { kind: 'repairing', nextReportAt: plusMinutes(now, FIGHT_REPORT_EVERY_MINUTES) } as const;
    return {
      entry: { repairs: [], fight: { ...fight, lastRepairAt: at, lastReportAt: at, repairsSinceReport: 0 } },
      verdict: {
        kind: 'reported',
        report: reportOf(controlId, repairs, count, fight.lastReportAt, next, now),
      },
    };
  }
  const windowStart = now.getTime() - settings.windowMinutes * MINUTE_MS;
  const repairs = [...(entry?.repairs ?? []).filter((r) => Date.parse(r.at) > windowStart), repair];
  if (repairs.length < settings.repairs) return { entry: { repairs }, verdict: { kind: 'none' } };
  const next: FightReport['next'] = critical
    ? { kind: 'repairing', nextReportAt: plusMinutes(now, FIGHT_REPORT_EVERY_MINUTES) }
    : { kind: 'paused', until: plusMinutes(now, settings.coolDownMinutes) };
  const report = reportOf(controlId, repairs, repairs.length, repairs[0]?.at ?? at, next, now);
  const started: Fight = {
    startedAt: at,
    critical,
    lastReportAt: at,
    lastRepairAt: at,
    repairsSinceReport: 0,
    opponent: describeOpponents(report),
    ...(next.kind === 'paused' ? { pausedUntil: next.until } : {}),
  };
  // The repairs that made the fight are in the report; a new fight needs new ones.
  return { entry: { repairs: [], fight: started }, verdict: { kind: 'started', report } };
}

/** Why enforcement of a control is paused on the resource now, or undefined when it is not. */
export function pauseReason(entry: ControlFight | undefined, now: Date): string | undefined {
  const fight = entry?.fight;
  if (!fight?.pausedUntil || now.getTime() >= Date.parse(fight.pausedUntil)) return undefined;
  return (
    `enforcement paused until ${fight.pausedUntil} (a fight since ${fight.startedAt}: ${fight.opponent} kept ` +
    're-applying what Warden repaired); Warden changed nothing'
  );
}

/** When the resource's fight state may be forgotten (DynamoDB TTL, in epoch seconds). */
export function fightStateExpiry(settings: FightSettings, now: Date): number {
  const minutes = Math.max(settings.windowMinutes, settings.coolDownMinutes, FIGHT_REPORT_EVERY_MINUTES) + 60;
  return Math.floor(now.getTime() / 1000) + minutes * 60;
}

const describeOpponent = (opponent: OpponentTally) =>
  `${opponent.principal}${opponent.userAgent ? ` (user agent "${opponent.userAgent}")` : ''}`;

/** "arn:...role/terraform (user agent ...)", the actors named by the report, most active first. */
export function describeOpponents(report: Pick<FightReport, 'opponents' | 'unseen'>): string {
  const named = report.opponents.map(describeOpponent);
  if (report.unseen > 0) named.push('someone CloudTrail did not show Warden (found by the sweep)');
  return named.join(' and ') || 'an unknown actor';
}

/** One sentence for the alert and the audit trail: the fight, the other actor, how often, what now. */
export function describeFight(report: FightReport, resource: string, started: boolean): string {
  const who = report.opponents
    .map((opponent) => `${describeOpponent(opponent)}: ${opponent.repairs} time(s)`)
    .concat(report.unseen > 0 ? [`drift found by the sweep: ${report.unseen} time(s)`] : [])
    .join('; ');
  const every =
    report.repairs > 1 ? `, about every ${Math.max(1, Math.round(report.minutes / report.repairs))} min` : '';
  const how = `${report.repairs} repairs of ${report.controlId} on ${resource} in ${report.minutes} min${every}`;
  const what =
    report.next.kind === 'paused'
      ? `Warden pauses enforcing ${report.controlId} on ${resource} until ${report.next.until} (detect only meanwhile) instead of fighting; fix the other automation or exempt the resource.`
      : `The exposure is CRITICAL, so Warden keeps repairing it without an alert each time and reports again after ${report.next.nextReportAt} while the fight goes on; stop the other automation.`;
  return started
    ? `Warden is in a fight: something keeps re-applying what it repairs (${how}). Re-applied by ${who}. ${what}`
    : `The fight goes on: ${how} since the last report. Re-applied by ${who}. ${what}`;
}
