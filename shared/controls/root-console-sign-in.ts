import { SIGN_IN_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import { rootArnOf } from '#shared/model/root-activity.ts';
import type { RootControl } from './root-control.ts';

const ROOT_MFA_COMPLIANCE = ['Security Hub IAM.9 (root user MFA)', 'CIS AWS Foundations 1.5 (root user MFA)'];

/**
 * Every successful root console sign-in is reported: routine use of root is itself the finding.
 * Without MFA it is worse (a password alone guards the whole account), hence the higher severity.
 */
export const rootConsoleSignIn: RootControl = {
  id: 'root-console-sign-in',
  title: 'The root user is not used for daily tasks',
  severity: 'HIGH',
  compliance: [
    'CIS AWS Foundations 1.7 (eliminate use of the root user)',
    'Security Hub CloudWatch.1 (alert on root user usage)',
  ],
  activity: 'root-console-sign-in',
  trigger: { eventSource: SIGN_IN_EVENT_SOURCE, eventNames: ['ConsoleLogin'] },
  defaultMode: 'detect',

  assess(activity) {
    if (activity.kind !== 'root-console-sign-in') return undefined;
    const steps = [
      `Confirm with the owner of account ${activity.accountId} that this root sign-in was expected and what it was for.`,
      'If it was not expected: change the root password, check the MFA devices, and review CloudTrail for what the root session did.',
      ...(activity.mfaUsed
        ? []
        : [
            'Enable MFA on the root user: Security credentials → Multi-factor authentication (MFA) → Assign MFA device.',
          ]),
      'Do daily work through IAM Identity Center or IAM roles; keep root for the few tasks that need it.',
    ];
    return {
      controlId: 'root-console-sign-in',
      resource: rootArnOf(activity.accountId),
      severity: activity.mfaUsed ? 'MEDIUM' : 'HIGH',
      summary: activity.mfaUsed
        ? `The root user of account ${activity.accountId} signed in to the console (with MFA).`
        : `The root user of account ${activity.accountId} signed in to the console WITHOUT MFA.`,
      extraCompliance: activity.mfaUsed ? [] : ROOT_MFA_COMPLIANCE,
      remedy: { type: 'Manual', why: 'Routine use of the root user is itself a finding.', steps },
    };
  },
};
