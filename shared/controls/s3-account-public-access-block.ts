import { ALL_BLOCKED, type PublicAccessBlock } from '#shared/model/bucket.ts';
import type { AccountControl } from './types.ts';

const FLAGS: readonly (keyof PublicAccessBlock)[] = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

/**
 * All four account-level Block Public Access flags are on (S3 Control, addressed by account id). When an
 * AWS Organizations S3 policy manages the setting, AWS refuses the fix with 403: the outcome is FAILED with
 * that explanation (see account-actions.ts), alerted once, never retried.
 */
export const s3AccountPublicAccessBlock: AccountControl = {
  id: 's3-account-public-access-block',
  title: 'S3 account-level Block Public Access is fully on',
  severity: 'HIGH',
  compliance: ['Security Hub S3.1', 'CIS AWS Foundations 2.1.4 (S3 Block Public Access)'],
  triggers: ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'],
  reads: ['publicAccessBlock'],
  defaultMode: 'enforce',

  check(state) {
    const settings = state.publicAccessBlock;
    const off = FLAGS.filter((flag) => settings?.[flag] !== true);
    if (off.length === 0) return undefined;
    return {
      controlId: 's3-account-public-access-block',
      resource: state.accountId,
      summary: `Account ${state.accountId} has account-level Block Public Access off for ${off.join(', ')}.`,
      observed: settings ?? null,
    };
  },

  fix(_finding, state) {
    return {
      actions: [
        { type: 'PutAccountPublicAccessBlock', accountId: state.accountId, configuration: ALL_BLOCKED },
      ],
    };
  },
};
