import { IAM_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import { type RootAccessKeyCreated, rootArnOf } from '#shared/model/root-activity.ts';
import type { RootContext, RootControl, RootRemedy } from './root-control.ts';

/** What only the root user can do, step by step, when Warden cannot delete the key itself. */
/** Where an SCP can prevent the next root key: member accounts only. */
type Guardrail = 'member' | 'standalone' | 'management';

const GUARDRAIL_STEP: Record<Guardrail, string> = {
  member:
    'Prevent the next one: attach the SCP printed by `warden scp root-keys` to the organization root or the OUs.',
  standalone:
    'Consider the SCP printed by `warden scp root-keys`: SCPs need AWS Organizations, so it applies once this account is a member of one.',
  management:
    'SCPs never apply to the management account: keep its root user without access keys, with MFA, by process.',
};

export function manualRootKeySteps(accountId: string, accessKeyId: string, guardrail: Guardrail): string[] {
  return [
    `Sign in to https://console.aws.amazon.com/ as the root user of account ${accountId} (choose "Root user" and enter its email).`,
    'Open the account menu (top right) and choose Security credentials.',
    `Under Access keys, select ${accessKeyId}: Actions → Deactivate, then Actions → Delete (paste the key id to confirm).`,
    'Under Multi-factor authentication (MFA), enable MFA on the root user, or verify that the assigned device is yours.',
    `If nobody on your team created the key, treat the root user as compromised: change its password and review CloudTrail for calls made with ${accessKeyId}.`,
    GUARDRAIL_STEP[guardrail],
  ];
}

function remedyFor(activity: RootAccessKeyCreated, context: RootContext): RootRemedy {
  const { accountId, accessKeyId } = activity;
  const { mode, managementAccountId } = context.deployment;
  if (!accessKeyId) {
    return {
      type: 'Manual',
      why: 'The CloudTrail event carries no access key id, so Warden deleted nothing; check every access key of the root user.',
      steps: manualRootKeySteps(
        accountId,
        'each listed key',
        mode === 'organization' ? 'member' : 'standalone',
      ),
    };
  }
  if (mode === 'account') {
    return {
      type: 'Manual',
      why: 'In a standalone account no IAM principal can delete or deactivate the root user’s access keys: only the root user can.',
      steps: manualRootKeySteps(accountId, accessKeyId, 'standalone'),
    };
  }
  if (!managementAccountId) {
    return {
      type: 'Manual',
      why: 'The policy sets no deployment.managementAccountId, so Warden cannot tell a member account from the management account and deleted nothing.',
      steps: manualRootKeySteps(accountId, accessKeyId, 'member'),
    };
  }
  if (accountId === managementAccountId) {
    return {
      type: 'Manual',
      why: `Account ${accountId} is the organization's management account: centralised root access (sts:AssumeRoot) covers member accounts only, so only its root user can delete the key.`,
      steps: manualRootKeySteps(accountId, accessKeyId, 'management'),
    };
  }
  return { type: 'DeleteRootAccessKey', accountId, accessKeyId };
}

export const rootAccessKey: RootControl = {
  id: 'root-access-key',
  title: 'The root user has no access keys',
  severity: 'CRITICAL',
  compliance: ['Security Hub IAM.4', 'CIS AWS Foundations 1.4 (no root user access key exists)'],
  activity: 'root-access-key-created',
  trigger: { eventSource: IAM_EVENT_SOURCE, eventNames: ['CreateAccessKey'] },
  defaultMode: 'enforce',

  assess(activity, context) {
    if (activity.kind !== 'root-access-key-created') return undefined;
    const key = activity.accessKeyId ?? '(key id missing from the event)';
    const created = activity.createDate ? ` (created ${activity.createDate})` : '';
    return {
      controlId: 'root-access-key',
      resource: rootArnOf(activity.accountId),
      severity: 'CRITICAL',
      summary: `The root user of account ${activity.accountId} created access key ${key}${created}: long-lived credentials with unrestricted access to the account.`,
      extraCompliance: [],
      remedy: remedyFor(activity, context),
    };
  },
};
