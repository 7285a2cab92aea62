import type { Alert } from '#shared/contracts/alert.ts';
import { SEVERITY_RANK, type Severity } from '#shared/contracts/controls.ts';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';

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

/** Builds the alert for an event, or undefined when nothing is worth saying. Pure. */
export function buildAlert(
  call: ApiCall,
  resourceType: string,
  resource: string,
  outcomes: readonly ControlOutcome[],
): Alert | undefined {
  const alerting = alertableOutcomes(outcomes);
  if (alerting.length === 0) return undefined;
  return {
    eventId: call.eventId,
    severity: highestSeverity(alerting),
    title: titleFor(alerting, resource),
    summary: alerting.map((outcome) => outcome.reason).join(' '),
    accountId: call.accountId,
    region: call.region,
    resourceType,
    resource,
    eventName: call.eventName,
    eventTime: call.eventTime,
    actor: { type: call.actor.type, ...(call.actor.arn ? { arn: call.actor.arn } : {}) },
    ...(call.sourceIp ? { sourceIp: call.sourceIp } : {}),
    ...(call.userAgent ? { userAgent: call.userAgent } : {}),
    outcomes: alerting,
    links: consoleLinks(call, resourceType, resource),
  };
}
