import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';

/** Who and what an event's outcomes are about: the audit record's and the alert's identity. */
export interface Subject {
  readonly resourceType: string;
  readonly resource: string;
  /** The account that owns the resource (the event's recipient account, or the root user's). */
  readonly accountId: string;
}

/**
 * The outcomes that are violations: what is counted, audited and alerted. A control that was compliant
 * is not, unless the activity itself is the violation (root use, even when the key was already gone).
 */
export function violationsOf(
  outcomes: readonly ControlOutcome[],
  compliantIsViolation = false,
): readonly ControlOutcome[] {
  return outcomes.filter(
    (outcome) =>
      outcome.status !== 'SKIPPED' && (compliantIsViolation || outcome.status !== 'ALREADY_COMPLIANT'),
  );
}

/** One structured log line and the metrics of one control's outcome. */
export function recordOutcome(
  deps: { readonly log: Log; readonly metrics: MetricsRecorder },
  header: { readonly eventId: string; readonly eventName: string },
  outcome: ControlOutcome,
  isViolation: boolean,
): void {
  const line = {
    ...header,
    controlId: outcome.controlId,
    resource: outcome.resource,
    status: outcome.status,
    reason: outcome.reason,
    actions: outcome.actions,
  };
  const dimensions = { control: outcome.controlId };
  if (outcome.status === 'FAILED') {
    deps.log.error('Control outcome', line);
    deps.metrics.count('RemediationFailures', dimensions);
  } else if (isViolation) deps.log.warn('Control outcome', line);
  else deps.log.info('Control outcome', line);
  if (isViolation) deps.metrics.count('Violations', dimensions);
  if (outcome.status === 'REMEDIATED') deps.metrics.count('Remediations', dimensions);
  if (outcome.status === 'DETECTED') deps.metrics.count('Detections', dimensions);
}

/** The one audit record shape: one record per violation, keyed `<eventId>:<controlId>`. */
export function auditRecordsFor(
  call: ApiCall,
  subject: Subject,
  violations: readonly ControlOutcome[],
  now: Date,
): AuditRecord[] {
  return violations.map((outcome) => ({
    actionId: `${call.eventId}:${outcome.controlId}`,
    eventId: call.eventId,
    eventName: call.eventName,
    time: now.toISOString(),
    // The session (it names the person or function), else the principal, else its type.
    actor: call.actor.arn ?? call.actor.principalArn ?? call.actor.type,
    accountId: subject.accountId,
    region: call.region,
    resourceType: subject.resourceType,
    resource: outcome.resource,
    outcome,
  }));
}
