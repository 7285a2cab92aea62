import { consoleLinks, highestSeverity } from '#shared/alerts/alert.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { type RootActivity, rootArnOf } from '#shared/model/root-activity.ts';

export const ROOT_RESOURCE_TYPE = 'AWS::IAM::RootUser';

function titleFor(activity: RootActivity, outcomes: readonly ControlOutcome[]): string {
  const account = activity.accountId;
  if (activity.kind === 'root-console-sign-in')
    return `Root user signed in to account ${account} ${activity.mfaUsed ? 'with MFA' : 'WITHOUT MFA'}`;
  const key = activity.accessKeyId ?? '(unknown key id)';
  const statuses = new Set(outcomes.map((outcome) => outcome.status));
  if (statuses.has('FAILED')) return `Warden could not delete root access key ${key} in account ${account}`;
  if (statuses.has('REMEDIATED')) return `Warden deleted root access key ${key} in account ${account}`;
  if (statuses.has('ALREADY_COMPLIANT') && statuses.size === 1)
    return `Root access key ${key} created in account ${account}, already deleted`;
  return `Root access key ${key} created in account ${account}`;
}

/**
 * One alert per root event. Unlike bucket alerts, an already-deleted root key still alerts: the
 * root user was used to create it, and that use is the finding. Pure.
 */
export function buildRootAlert(
  call: ApiCall,
  activity: RootActivity,
  outcomes: readonly ControlOutcome[],
): Alert | undefined {
  const reported = outcomes.filter((outcome) => outcome.status !== 'SKIPPED');
  if (reported.length === 0) return undefined;
  const resource = rootArnOf(activity.accountId);
  return {
    eventId: call.eventId,
    severity: highestSeverity(reported),
    title: titleFor(activity, reported),
    summary: reported.map((outcome) => outcome.reason).join(' '),
    accountId: activity.accountId,
    region: call.region,
    resourceType: ROOT_RESOURCE_TYPE,
    resource,
    eventName: call.eventName,
    eventTime: call.eventTime,
    actor: { type: call.actor.type, ...(call.actor.arn ? { arn: call.actor.arn } : {}) },
    ...(call.sourceIp ? { sourceIp: call.sourceIp } : {}),
    ...(call.userAgent ? { userAgent: call.userAgent } : {}),
    outcomes: reported,
    links: consoleLinks(call, ROOT_RESOURCE_TYPE, resource),
  };
}
