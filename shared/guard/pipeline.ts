import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { AuditLog } from '#shared/audit/audit-log.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { isDuplicateInProgress, type OnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { FindingsReporter } from '#shared/securityhub/findings-reporter.ts';
import { type AlertSubject, alertableOutcomes, buildAlert } from './alert.ts';
import {
  fightAlertView,
  fightAuditRecords,
  type GuardFightStore,
  logFights,
  type PausedControls,
  type PausedFor,
  pausedControls,
  recordFights,
} from './fights.ts';
import { ignoreReason, memberRoleNameOf } from './ignore.ts';
import { recordEventToFixed } from './latency.ts';
import { auditRecordsFor, recordOutcome, violationsOf } from './record.ts';

/** What a guard's remediation of one event came to: every active control's outcome, or why none. */
export interface Remediation {
  readonly outcomes: readonly ControlOutcome[];
  /** Nothing could be judged (e.g. the resource was deleted meanwhile): the event is ignored. */
  readonly skippedReason?: string;
}

/** What an event concerns, or why the guard needs to do nothing (more) with it. */
export type Scope<Subject> =
  | { readonly subject: Subject }
  | { readonly ignored: string }
  /** Malformed for this guard (e.g. no bucket name): terminal, counted as a rejected event. */
  | { readonly rejected: string }
  /** Book-keeping only (e.g. a deleted bucket's baseline ended): processed, no control runs. */
  | { readonly settled: string };

/**
 * A guard is a plug-in to the one pipeline: which events it takes, what each concerns, how it reads,
 * judges and repairs that (its controls), and how the result is named in the audit trail and the alert.
 */
export interface GuardPlugin<Subject> {
  /** CloudTrail event names the guard handles (its EventBridge rule matches exactly these). */
  readonly eventNames: readonly string[];
  /** True when the activity itself is the violation, so compliant outcomes are reported too (root use). */
  readonly compliantIsViolation?: boolean;
  scope(call: ApiCall): Scope<Subject> | Promise<Scope<Subject>>;
  /**
   * Read (in parallel) → evaluate (pure) → journal → act → verify: one outcome per active control.
   * Before repairing, `pausedFor` says which controls a fight's cool-down paused on this resource: those
   * run as in detect mode, with that reason.
   */
  remediate(call: ApiCall, subject: Subject, pausedFor: PausedFor): Promise<Remediation>;
  /** The audit and alert identity of the subject. */
  describe(call: ApiCall, subject: Subject): AlertSubject;
}

export interface GuardDeps {
  readonly config: { readonly ownSessionArns: readonly string[]; readonly policy: Policy };
  readonly alerts: AlertPublisher;
  readonly audit: AuditLog;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  readonly clock: Clock;
  /** Each step's result is kept per event id, so a redelivery or retry never repairs or alerts twice. */
  readonly once: OnceWrapper;
  /** Security Hub (policy `securityHub.enabled`): every finding imported, updated in place. Never throws. */
  readonly findings?: FindingsReporter;
  /** Fights with another actor over a resource (./fights.ts); without it, Warden repairs every time. */
  readonly fights?: GuardFightStore;
}

type Header = { readonly eventId: string; readonly eventName: string };

/**
 * The one pipeline every guard runs: ignore? → scope → remediate and audit (once per event) → log and
 * count each outcome → alert (once per event). Parsing happens before, at the edge (./handler.ts).
 */
export function createGuard<Subject>(deps: GuardDeps, plugin: GuardPlugin<Subject>) {
  const memberRoleName = memberRoleNameOf(deps.config.policy);
  const violations = (outcomes: readonly ControlOutcome[]) =>
    violationsOf(outcomes, plugin.compliantIsViolation);
  const fightDeps = { fights: deps.fights, settings: deps.config.policy.fights, now: () => deps.clock.now() };
  const remediateOnce = deps.once('remediate', async (call: ApiCall & { readonly subject: Subject }) => {
    const subject = plugin.describe(call, call.subject);
    // Before acting (read only when something is to be repaired): a fight may have paused enforcement
    // here. After: the repairs may make a fight.
    let paused: PausedControls = {};
    const remediation = await plugin.remediate(call, call.subject, async () => {
      paused = await pausedControls(fightDeps, call, subject);
      return paused;
    });
    recordEventToFixed(deps, call, remediation.outcomes);
    const fights = await recordFights(fightDeps, call, subject, remediation.outcomes);
    const now = deps.clock.now();
    const records = [
      ...auditRecordsFor(call, subject, violations(remediation.outcomes), now),
      ...fightAuditRecords(call, subject, remediation.outcomes, fights, now),
    ];
    if (records.length > 0) await deps.audit.record(records);
    return { ...remediation, paused, fights };
  });
  // Published after the remediation is stored: if SNS fails, Lambda retries and only the alert is redone.
  const alertOnce = deps.once('alert', (alert: Alert) => deps.alerts.publish(alert));

  return async function handleEvent(call: ApiCall): Promise<GuardResult> {
    const header: Header = { eventId: call.eventId, eventName: call.eventName };
    try {
      return await run(call, header);
    } catch (error) {
      if (isDuplicateInProgress(error)) return duplicate(header);
      throw error;
    }
  };

  async function run(call: ApiCall, header: Header): Promise<GuardResult> {
    const ignored = ignoreReason(call, plugin.eventNames, deps.config.ownSessionArns, memberRoleName);
    if (ignored) return ignore(header, ignored);
    const scope = await plugin.scope(call);
    if ('ignored' in scope) return ignore(header, scope.ignored);
    if ('rejected' in scope) return reject(header, scope.rejected);
    if ('settled' in scope) return { ...header, status: 'PROCESSED', reason: scope.settled, outcomes: [] };

    const { outcomes, skippedReason, paused, fights } = await remediateOnce({
      ...call,
      subject: scope.subject,
    });
    if (skippedReason) return ignore(header, skippedReason);
    const reported = violations(outcomes);
    for (const outcome of outcomes) recordOutcome(deps, header, outcome, reported.includes(outcome));
    logFights(deps, header, fights);

    const view = fightAlertView(
      plugin.describe(call, scope.subject),
      plugin.compliantIsViolation ? reported : alertableOutcomes(outcomes),
      fights,
      paused,
    );
    const alert = buildAlert(call, view.subject, outcomes, view.reported);
    // Beside the alert, not before it; a failed import is counted, never fails the event (the repair is done).
    const findings = deps.findings
      ?.report({ call, subject: view.subject, outcomes, violations: reported }, deps)
      .catch(() => deps.metrics.count('FindingsImportFailures'));
    const alertMessageId = alert ? await alertOnce(alert) : undefined;
    await findings;
    if (alertMessageId) deps.metrics.count('AlertsPublished');
    return { ...header, status: 'PROCESSED', outcomes, ...(alertMessageId ? { alertMessageId } : {}) };
  }

  function ignore(header: Header, reason: string): GuardResult {
    deps.log.info('Event ignored', { ...header, reason });
    deps.metrics.count('EventsIgnored');
    return { ...header, status: 'IGNORED', reason, outcomes: [] };
  }

  /**
   * Another invocation is remediating or alerting this very event now (a simultaneous duplicate
   * delivery). It owns the event and Lambda retries it if it fails: this one ends quietly, counted.
   */
  function duplicate(header: Header): GuardResult {
    const reason = 'a simultaneous delivery of this event is being processed by another invocation';
    deps.log.info('Duplicate delivery in progress', { ...header, reason });
    deps.metrics.count('DuplicateInProgress');
    return { ...header, status: 'IGNORED', reason, outcomes: [] };
  }

  function reject(header: Header, reason: string): GuardResult {
    deps.log.error('Event rejected', { ...header, reason });
    deps.metrics.count('EventsRejected');
    return { ...header, status: 'REJECTED', reason, outcomes: [] };
  }
}
