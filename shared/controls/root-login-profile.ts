import { IAM_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import { rootArnOf } from '#shared/model/root-activity.ts';
import { ROOT_LOGIN_PROFILE_EVENT_NAMES } from '#shared/model/root-credentials.ts';
import type { RootControl } from './root-control.ts';
import { removeRootCredentialsStep } from './root-credentials-note.ts';

const CREATE_ROOT_PASSWORD = 'arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword';

/**
 * Organization mode: member accounts' root credentials are removed centrally, so a root password that
 * appears again (a privileged session with the IAMCreateRootUserPassword task policy, for account
 * recovery) makes the account's root usable again. Recovery can be legitimate, so this alerts (CRITICAL)
 * and leaves the password to people. Elsewhere the root user always has a password: nothing to report.
 */
export const rootLoginProfile: RootControl = {
  id: 'root-login-profile',
  title: 'Member accounts whose root credentials were removed centrally get no root password back',
  severity: 'CRITICAL',
  compliance: [
    'CIS AWS Foundations 1.7 (eliminate use of the root user)',
    'Security Hub IAM.9 (root user MFA; not applicable while a member account has no root credentials)',
  ],
  activity: 'root-login-profile',
  trigger: { eventSource: IAM_EVENT_SOURCE, eventNames: ROOT_LOGIN_PROFILE_EVENT_NAMES },
  defaultMode: 'detect',

  assess(activity, context) {
    if (activity.kind !== 'root-login-profile') return undefined;
    const { mode, managementAccountId } = context.deployment;
    const { accountId, eventTime } = activity;
    if (mode !== 'organization' || !managementAccountId || accountId === managementAccountId)
      return undefined;
    const what = activity.eventName === 'CreateLoginProfile' ? 'given a password' : 'given a new password';
    return {
      controlId: 'root-login-profile',
      resource: rootArnOf(accountId),
      severity: 'CRITICAL',
      summary: `The root user of member account ${accountId} was ${what}: the root credentials the organization removes centrally are back, and anyone who completes the password reset can sign in as root.`,
      extraCompliance: [],
      remedy: {
        type: 'Manual',
        why: 'Recovering a member account’s root password is a legitimate task of the management account (for example to close the account), so Warden leaves it to people.',
        steps: [
          `Find who asked for it: in the management account's (or IAM delegated administrator's) CloudTrail, the AssumeRoot call with task policy ${CREATE_ROOT_PASSWORD} and target ${accountId}, just before ${eventTime}.`,
          'If it was planned: assign an MFA device to the root user as soon as the password is reset (only the root user can), do the task, then remove the root credentials again.',
          `If it was not planned: remove the root credentials now, review CloudTrail for root sign-ins to account ${accountId} since ${eventTime}, and narrow who may call sts:AssumeRoot with that task policy.`,
          removeRootCredentialsStep(accountId),
          'While the member account has no root credentials, Security Hub IAM.9 and IAM.6 do not apply to it (nothing to protect with MFA); with a password back they apply until it is removed.',
        ],
      },
    };
  },
};
