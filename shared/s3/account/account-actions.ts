import { AccessDeniedError, callAws } from '#shared/errors/errors.ts';
import type { AccountAction } from '#shared/model/account.ts';
import { ALL_BLOCKED } from '#shared/model/bucket.ts';
import type { AccountStateDeps } from './account-state.ts';

/**
 * Why AWS refuses the call, for people: the S3 Control API answers 403 when an AWS Organizations S3
 * policy manages the account's Block Public Access (organization-level settings override the account's).
 */
export const ORGANIZATION_MANAGED_EXPLANATION =
  'AWS refused the change (AccessDenied). When an AWS Organizations S3 policy manages Block Public Access, ' +
  'member accounts cannot change the account-level settings: change them in the organization’s S3 policy ' +
  '(AWS Organizations → Policies → S3 policies). If no such policy applies, grant s3:PutAccountPublicAccessBlock ' +
  'to Warden’s role. Warden does not retry.';

export async function applyAccountAction(deps: AccountStateDeps, action: AccountAction): Promise<void> {
  // Loaded on demand, as in account-state.ts.
  const { PutPublicAccessBlockCommand } = await import('#shared/aws/on-demand/s3-control.ts');
  const command = new PutPublicAccessBlockCommand({
    AccountId: action.accountId,
    PublicAccessBlockConfiguration: { ...(action.configuration ?? ALL_BLOCKED) },
  });
  try {
    await callAws(`PutPublicAccessBlock on account ${action.accountId}`, () => deps.s3Control.send(command));
  } catch (error) {
    if (error instanceof AccessDeniedError)
      throw new AccessDeniedError(`${ORGANIZATION_MANAGED_EXPLANATION} (${error.message})`, { cause: error });
    throw error;
  }
}
