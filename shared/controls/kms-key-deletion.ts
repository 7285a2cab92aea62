import { isProtected, keyName } from '#shared/model/kms-key.ts';
import type { KeyControl } from './tamper-types.ts';

/**
 * Any other customer-managed key scheduled for deletion is reported, never stopped: deleting unused keys
 * is legitimate housekeeping. Detect only (tamper-guard caps an `enforce` setting to detect).
 */
export const kmsKeyDeletion: KeyControl = {
  id: 'kms-key-deletion',
  title: 'Customer-managed KMS keys scheduled for deletion are reported (detect only)',
  severity: 'MEDIUM',
  compliance: ['Security Hub KMS.3'],
  triggers: ['ScheduleKeyDeletion'],
  reads: ['key', 'protection'],
  defaultMode: 'detect',

  check(state) {
    if (state.keyManager !== 'CUSTOMER' || isProtected(state) || state.keyState !== 'PendingDeletion')
      return undefined;
    return {
      controlId: 'kms-key-deletion',
      resource: state.arn,
      summary:
        `KMS key ${keyName(state)} is scheduled for deletion${state.deletionDate ? ` on ${state.deletionDate}` : ''}. ` +
        'No bucket in its region uses it as default encryption and Warden does not protect it; objects written ' +
        'with it earlier still need it. If that is a mistake, run `aws kms cancel-key-deletion` and `aws kms enable-key` before that date.',
      observed: { keyState: state.keyState, deletionDate: state.deletionDate },
    };
  },

  fix() {
    return {
      blocked:
        'Warden only reports the deletion of keys it does not protect; add the key to s3.approvedKmsKeyArns to protect it.',
    };
  },
};
