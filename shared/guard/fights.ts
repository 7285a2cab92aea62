import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { FightKey, FightStore } from '#shared/audit/fight-store.ts';
import type { ControlId } from '#shared/contracts/controls.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { isSweepCall } from '#shared/events/sweep-call.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';
import type { AlertSubject } from './alert.ts';
import {
  type ControlFight,
  describeFight,
  type FightSettings,
  type FightState,
  type FightVerdict,
  fightStateExpiry,
  pauseReason,
  type Repair,
  recordRepair,
} from './fight.ts';
import { auditRecordsFor, type Subject } from './record.ts';

/**
 * The pipeline's side of "never fight forever" (./fight.ts decides): before acting, which controls are
 * paused on the resource; after acting, what the repairs add to its fights; then what is audited and
 * what the alert says.
 */
export type GuardFightStore = FightStore<FightState>;

/** Controls whose enforcement is paused on the resource now, with the reason their outcome shows. */
export type PausedControls = Readonly<Partial<Record<ControlId, string>>>;

/** Reads them; a guard calls it only when it is about to repair, before acting. */
export type PausedFor = () => Promise<PausedControls>;

/** What each repaired control's fight made of this event; stored with the remediation (plain data). */
export type FightNotes = Readonly<Partial<Record<ControlId, FightVerdict>>>;

export interface FightDeps {
  readonly fights?: GuardFightStore;
  readonly settings: FightSettings;
  readonly now: () => Date;
}

const keyOf = (call: ApiCall, subject: Subject): FightKey => ({
  accountId: subject.accountId,
  region: call.region,
  resource: subject.resource,
});

export async function pausedControls(
  deps: FightDeps,
  call: ApiCall,
  subject: Subject,
): Promise<PausedControls> {
  if (!deps.fights) return {};
  const state = await deps.fights.read(keyOf(call, subject));
  const now = deps.now();
  const paused: Partial<Record<ControlId, string>> = {};
  for (const [id, entry] of Object.entries(state) as [ControlId, ControlFight][]) {
    const reason = pauseReason(entry, now);
    if (reason) paused[id] = reason;
  }
  return paused;
}

/** Warden wrote something for this control (not merely "resolved by another control's fix"). */
const isRepair = (outcome: ControlOutcome) => outcome.status === 'REMEDIATED' && outcome.actions.length > 0;

/**
 * Counts this event's repairs into the resource's fights (one conditional write). The sweep's repairs
 * count, since Warden did undo someone's change again, but name nobody: its call has no CloudTrail actor.
 */
export async function recordFights(
  deps: FightDeps,
  call: ApiCall,
  subject: Subject,
  outcomes: readonly ControlOutcome[],
): Promise<FightNotes> {
  const { fights } = deps;
  const repaired = outcomes.filter(isRepair);
  if (!fights || repaired.length === 0) return {};
  const now = deps.now();
  const repair: Repair = {
    at: now.toISOString(),
    eventId: call.eventId,
    ...(isSweepCall(call)
      ? {}
      : {
          by: {
            principal: call.actor.principalArn ?? call.actor.arn ?? call.actor.type,
            ...(call.userAgent ? { userAgent: call.userAgent } : {}),
          },
        }),
  };
  return fights.update(keyOf(call, subject), (state) => {
    const next: Partial<Record<ControlId, ControlFight>> = { ...state };
    const notes: Partial<Record<ControlId, FightVerdict>> = {};
    for (const outcome of repaired) {
      const critical = outcome.severity === 'CRITICAL';
      const id = outcome.controlId;
      const { entry, verdict } = recordRepair(id, state[id], repair, critical, deps.settings, now);
      next[id] = entry;
      notes[id] = verdict;
    }
    return { state: next, result: notes, expiresAt: fightStateExpiry(deps.settings, now) };
  });
}

/** The fight's own audit record, beside the repair's: `warden audit list` shows it as a fight. */
export function fightAuditRecords(
  call: ApiCall,
  subject: Subject,
  outcomes: readonly ControlOutcome[],
  notes: FightNotes,
  now: Date,
): AuditRecord[] {
  const fights = outcomes.flatMap((outcome) => {
    const note = notes[outcome.controlId];
    return note?.kind === 'started' || note?.kind === 'reported' ? [{ outcome, note }] : [];
  });
  // The fight itself changed nothing (the repair has its own record): nothing to undo there.
  const said = fights.map(({ outcome, note }): ControlOutcome => {
    const { before: _before, after: _after, ...rest } = outcome;
    const reason = describeFight(note.report, outcome.resource, note.kind === 'started');
    return { ...rest, status: 'DETECTED', reason, actions: [] };
  });
  return auditRecordsFor(call, subject, said, now).flatMap((record, index) => {
    const fight = fights[index];
    if (!fight) return [];
    const { kind, report } = fight.note;
    const opponents = report.opponents.map(
      (o) => `${o.principal}${o.userAgent ? ` (${o.userAgent})` : ''}: ${o.repairs}`,
    );
    const next = report.next.kind === 'paused' ? `paused until ${report.next.until}` : 'repairing silently';
    return [
      {
        ...record,
        actionId: `${record.actionId}:fight`,
        fight: { kind, repairs: report.repairs, minutes: report.minutes, opponents, next },
      },
    ];
  });
}

/**
 * What the event's alert says once fights are taken into account: outcomes a fight keeps quiet are left
 * out (a critical fight between reports; a control paused on the resource, said when the pause began),
 * and a fight that starts or is reported leads the alert. Undefined outcomes: nothing to alert.
 */
export function fightAlertView(
  subject: AlertSubject,
  reported: readonly ControlOutcome[],
  notes: FightNotes,
  paused: PausedControls,
): { subject: AlertSubject; reported: readonly ControlOutcome[] } {
  const said = reported.flatMap((outcome) => {
    const note = notes[outcome.controlId];
    if (note?.kind === 'silent') return [];
    if (!note && paused[outcome.controlId] && outcome.status === 'DETECTED') return [];
    if (note?.kind !== 'started' && note?.kind !== 'reported') return [outcome];
    const fight = describeFight(note.report, outcome.resource, note.kind === 'started');
    return [{ ...outcome, reason: `${fight} ${outcome.reason}` }];
  });
  const fights = said.filter((outcome) => {
    const kind = notes[outcome.controlId]?.kind;
    return kind === 'started' || kind === 'reported';
  });
  if (fights.length === 0) return { subject, reported: said };
  const controls = fights.map((outcome) => outcome.controlId).join(', ');
  return {
    subject: { ...subject, titleFor: () => `Warden is in a fight over ${controls} on ${subject.resource}` },
    reported: said,
  };
}

/** One warning line per fight started or reported; a started fight is counted (an alarm may watch it). */
export function logFights(
  deps: { readonly log: Log; readonly metrics: MetricsRecorder },
  header: { readonly eventId: string; readonly eventName: string },
  notes: FightNotes,
): void {
  for (const [controlId, note] of Object.entries(notes) as [ControlId, FightVerdict][]) {
    if (note.kind !== 'started' && note.kind !== 'reported') continue;
    const { repairs, minutes, opponents, unseen, next } = note.report;
    deps.log.warn(note.kind === 'started' ? 'Fight started' : 'Fight goes on', {
      ...header,
      controlId,
      repairs,
      minutes,
      opponents: opponents.map(({ principal, userAgent, repairs: times }) => ({
        principal,
        userAgent,
        times,
      })),
      unseen,
      next,
    });
    if (note.kind === 'started') deps.metrics.count('FightsStarted', { control: controlId });
  }
}
