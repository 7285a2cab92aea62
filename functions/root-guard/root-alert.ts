import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { RootActivity } from '#shared/model/root-activity.ts';

export const ROOT_RESOURCE_TYPE = 'AWS::IAM::RootUser';

/** The alert title of a root event: what the root user did, and what became of it. */
export function rootAlertTitle(activity: RootActivity, outcomes: readonly ControlOutcome[]): string {
  const account = activity.accountId;
  if (activity.kind === 'root-console-sign-in')
    return `Root user signed in to account ${account} ${activity.mfaUsed ? 'with MFA' : 'WITHOUT MFA'}`;
  if (activity.kind === 'root-mfa-removed')
    return activity.eventName === 'DeactivateMFADevice'
      ? `Root user's MFA device deactivated in account ${account}`
      : `Virtual MFA device deleted by the root user of account ${account}`;
  if (activity.kind === 'root-login-profile')
    return `Root password ${activity.eventName === 'CreateLoginProfile' ? 'set' : 'changed'} in member account ${account}`;
  const key = activity.accessKeyId ?? '(unknown key id)';
  const statuses = new Set(outcomes.map((outcome) => outcome.status));
  if (statuses.has('FAILED')) return `Warden could not delete root access key ${key} in account ${account}`;
  if (statuses.has('REMEDIATED')) return `Warden deleted root access key ${key} in account ${account}`;
  if (statuses.has('ALREADY_COMPLIANT') && statuses.size === 1)
    return `Root access key ${key} created in account ${account}, already deleted`;
  return `Root access key ${key} created in account ${account}`;
}
