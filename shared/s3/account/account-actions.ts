import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { AccessDeniedError, callAws } from '#shared/errors/errors.ts';
import { type ActionTense, verb } from '../action-tense.ts';
import { ALL_BLOCKED, type PublicAccessBlock } from '../bucket-state.ts';
import type { AccountStateDeps } from './account-state.ts';

/** A write Warden may make to an account's S3 settings: plain data, planned by a control, applied here. */
export type AccountAction = {
  readonly type: 'PutAccountPublicAccessBlock';
  readonly accountId: string;
  /** All four flags on, unless an undo restores other values. */
  readonly configuration?: PublicAccessBlock;
};

export function describeAccountAction(action: AccountAction, tense: ActionTense = 'done'): string {
  const config = action.configuration;
  if (!config || Object.values(config).every(Boolean))
    return `${verb(tense, 'Turned', 'turn')} on all four account-level Block Public Access settings of account ${action.accountId}`;
  const on = Object.entries(config)
    .filter(([, value]) => value)
    .map(([flag]) => flag);
  return `${verb(tense, 'Set', 'set')} account-level Block Public Access of account ${action.accountId} to ${on.length > 0 ? `only ${on.join(', ')} on` : 'all off'}`;
}

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
