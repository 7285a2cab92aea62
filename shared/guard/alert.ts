import type { Alert } from '#shared/contracts/alert.ts';
import { SEVERITY_RANK, type Severity } from '#shared/contracts/controls.ts';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { Subject } from './record.ts';

const ALERTING: ReadonlySet<OutcomeStatus> = new Set(['REMEDIATED', 'DETECTED', 'FAILED']);

/** Outcomes people must hear about; compliant and skipped controls stay quiet. */
export function alertableOutcomes(outcomes: readonly ControlOutcome[]): readonly ControlOutcome[] {
  return outcomes.filter((outcome) => ALERTING.has(outcome.status));
}

export function highestSeverity(outcomes: readonly ControlOutcome[]): Severity {
  return outcomes.reduce<Severity>(
    (worst, outcome) => (SEVERITY_RANK[outcome.severity] > SEVERITY_RANK[worst] ? outcome.severity : worst),
    'INFORMATIONAL',
  );
}

function titleFor(outcomes: readonly ControlOutcome[], resource: string): string {
  if (outcomes.some((outcome) => outcome.status === 'FAILED')) return `Warden could not repair ${resource}`;
  if (outcomes.every((outcome) => outcome.status === 'REMEDIATED')) return `Warden repaired ${resource}`;
  if (outcomes.every((outcome) => outcome.status === 'DETECTED'))
    return `Warden found a risky change on ${resource}`;
  return `Warden found and partly repaired ${resource}`;
}

export function consoleLinks(call: ApiCall, resourceType: string, resource: string) {
  const region = call.region;
  const resourceLink =
    resourceType === 'AWS::S3::Bucket'
      ? `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(resource)}?region=${region}&tab=permissions`
      : `https://console.aws.amazon.com/iam/home#/security_credentials`;
  return {
    resource: resourceLink,
    cloudTrailEvent: `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(call.eventId)}`,
  };
}

/** What an alert is about, and how a guard words it when the default title or link does not fit. */
export interface AlertSubject extends Subject {
  /** The guard's own title for these outcomes (root: what the root user did). */
  readonly titleFor?: (outcomes: readonly ControlOutcome[]) => string;
  /** The console page of the resource, when the generic one is not it. */
  readonly resourceLink?: string;
}

/**
 * The one alert builder: one alert per event, every reported outcome in it, or undefined when nothing is
 * worth saying. `reported` are the outcomes people must hear about (default: repaired, detected, failed).
 * Pure.
 */
export function buildAlert(
  call: ApiCall,
  subject: AlertSubject,
  outcomes: readonly ControlOutcome[],
  reported: readonly ControlOutcome[] = alertableOutcomes(outcomes),
): Alert | undefined {
  if (reported.length === 0) return undefined;
  const links = consoleLinks(call, subject.resourceType, subject.resource);
  return {
    eventId: call.eventId,
    severity: highestSeverity(reported),
    title: subject.titleFor?.(reported) ?? titleFor(reported, subject.resource),
    summary: reported.map((outcome) => outcome.reason).join(' '),
    accountId: subject.accountId,
    region: call.region,
    resourceType: subject.resourceType,
    resource: subject.resource,
    eventName: call.eventName,
    eventTime: call.eventTime,
    actor: { type: call.actor.type, ...(call.actor.arn ? { arn: call.actor.arn } : {}) },
    ...(call.sourceIp ? { sourceIp: call.sourceIp } : {}),
    ...(call.userAgent ? { userAgent: call.userAgent } : {}),
    outcomes: reported,
    links: { ...links, ...(subject.resourceLink ? { resource: subject.resourceLink } : {}) },
  };
}
