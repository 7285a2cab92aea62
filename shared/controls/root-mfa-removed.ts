import { IAM_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import { rootArnOf } from '#shared/model/root-activity.ts';
import { ROOT_MFA_EVENT_NAMES, type RootMfaRemoved } from '#shared/model/root-credentials.ts';
import type { RootContext, RootControl } from './root-control.ts';
import { rootCredentialsNote } from './root-credentials-note.ts';

function summaryOf(activity: RootMfaRemoved): string {
  const device = activity.serialNumber ?? '(serial number missing from the event)';
  return activity.eventName === 'DeactivateMFADevice'
    ? `The MFA device ${device} of the root user of account ${activity.accountId} was deactivated: unless another device is assigned, the root password alone now opens the whole account.`
    : `The root user of account ${activity.accountId} deleted virtual MFA device ${device}: if it was the root user's own, the root user may have no MFA left.`;
}

function stepsFor(activity: RootMfaRemoved, context: RootContext): string[] {
  const { accountId, eventTime } = activity;
  return [
    `Sign in to https://console.aws.amazon.com/ as the root user of account ${accountId} (choose "Root user" and enter its email): only the root user can assign an MFA device to itself.`,
    'Open the account menu (top right), choose Security credentials, then under Multi-factor authentication (MFA) choose Assign MFA device; prefer a FIDO2 security key or a hardware TOTP token (Security Hub IAM.6 asks for hardware MFA).',
    `Check the list of assigned devices: every one must be yours. If nobody on your team removed the device, treat the root user as compromised: reset its password, check the account's email address and contacts, and review CloudTrail for what the root user did since ${eventTime}.`,
    rootCredentialsNote(accountId, context),
  ];
}

/**
 * Removing the root user's MFA leaves a password as the only key to the whole account. Only the root
 * user can assign a device again, so this control alerts (CRITICAL) with the steps.
 */
export const rootMfaRemoved: RootControl = {
  id: 'root-mfa-removed',
  title: 'The root user keeps its MFA',
  severity: 'CRITICAL',
  compliance: [
    'Security Hub IAM.9 (root user MFA)',
    'Security Hub IAM.6 (hardware MFA for the root user)',
    'CIS AWS Foundations 1.5 (root user MFA)',
  ],
  activity: 'root-mfa-removed',
  trigger: { eventSource: IAM_EVENT_SOURCE, eventNames: ROOT_MFA_EVENT_NAMES },
  defaultMode: 'detect',

  assess(activity, context) {
    if (activity.kind !== 'root-mfa-removed') return undefined;
    return {
      controlId: 'root-mfa-removed',
      resource: rootArnOf(activity.accountId),
      severity: 'CRITICAL',
      summary: summaryOf(activity),
      extraCompliance: [],
      remedy: {
        type: 'Manual',
        why: 'No IAM principal, and so not Warden, can assign an MFA device to the root user: only the root user can.',
        steps: stepsFor(activity, context),
      },
    };
  },
};
