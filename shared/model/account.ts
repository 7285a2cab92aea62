import { type ActionTense, verb } from './action-tense.ts';
import type { PublicAccessBlock } from './bucket.ts';

/** The SDK-free model of an account's own S3 settings (account-level Block Public Access). */

/** The parts of an account's S3 settings a control may read. */
export type AccountStatePart = 'publicAccessBlock';

/** Live account-level S3 settings; a part is present when it was read. */
export interface AccountState {
  readonly accountId: string;
  readonly publicAccessBlock?: PublicAccessBlock;
}

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
