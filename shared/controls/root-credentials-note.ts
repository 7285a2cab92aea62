import type { RootContext } from './root-control.ts';

/** AWS managed task policies of centralised root access (sts:AssumeRoot). */
const DELETE_ROOT_CREDENTIALS = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

/** Removing a member account's root credentials again, from the management account (or IAM's delegated admin). */
export const removeRootCredentialsStep = (accountId: string): string =>
  `Remove them again from the management account: IAM → Root access management → account ${accountId} → Delete root credentials, or \`aws sts assume-root --target-principal ${accountId} --task-policy-arn arn=${DELETE_ROOT_CREDENTIALS}\` then \`aws iam delete-login-profile\` (and \`aws iam deactivate-mfa-device\` for each device) with those credentials.`;

/**
 * Where AWS's centralised root-credential management changes what Security Hub asks for: a member account
 * without root credentials has nothing to protect with MFA, so IAM.9 and IAM.6 do not apply to it.
 */
export function rootCredentialsNote(accountId: string, context: RootContext): string {
  const { mode, managementAccountId } = context.deployment;
  if (mode !== 'organization')
    return 'In an AWS Organization with centralised root access, member accounts can have no root credentials at all; then Security Hub IAM.9 and IAM.6 do not apply to them. A standalone account always needs root MFA.';
  if (accountId === managementAccountId)
    return `Account ${accountId} is the management account: centralised root access never covers its root user, so IAM.9 and IAM.6 always apply here and MFA must stay.`;
  return `Account ${accountId} is a member account: with centralised root-credential management its root user should have no credentials at all, and then Security Hub IAM.9 and IAM.6 do not apply to it (nothing to protect with MFA). Rather than keeping a root password with MFA, consider removing the root credentials. ${removeRootCredentialsStep(accountId)}`;
}
