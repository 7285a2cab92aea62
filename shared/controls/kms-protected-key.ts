import { describeProtection, isProtected, keyName } from '#shared/model/kms-key.ts';
import type { KeyControl } from './tamper-types.ts';

/** Key states a key can be brought back from with CancelKeyDeletion and EnableKey. */
const DELETION = 'PendingDeletion';
const DISABLED = 'Disabled';

/**
 * A key Warden protects (its own keys, the approved keys, any key a bucket encrypts with by default) is
 * never left scheduled for deletion or disabled: objects written with it become unreadable, for good
 * once it is deleted. CancelKeyDeletion leaves a key Disabled, so EnableKey always follows.
 */
export const kmsProtectedKey: KeyControl = {
  id: 'kms-protected-key',
  title: 'KMS keys Warden and your buckets depend on are not scheduled for deletion or disabled',
  severity: 'CRITICAL',
  compliance: ['Security Hub KMS.3', 'MITRE ATT&CK T1485', 'NIST 800-53 SC-12'],
  triggers: ['ScheduleKeyDeletion', 'DisableKey'],
  reads: ['key', 'protection'],
  defaultMode: 'enforce',

  check(state) {
    if (state.keyManager !== 'CUSTOMER' || !isProtected(state)) return undefined;
    if (state.keyState !== DELETION && state.keyState !== DISABLED) return undefined;
    const what =
      state.keyState === DELETION
        ? `is scheduled for deletion${state.deletionDate ? ` on ${state.deletionDate}` : ''}: every object encrypted with it becomes unreadable for good then`
        : 'is disabled: nothing encrypted with it can be read or written';
    return {
      controlId: 'kms-protected-key',
      resource: state.arn,
      summary: `KMS key ${keyName(state)} ${what}. ${describeProtection(state)}`,
      observed: { keyState: state.keyState, deletionDate: state.deletionDate },
    };
  },

  fix(_finding, state) {
    return {
      actions: [
        ...(state.keyState === DELETION ? [{ type: 'CancelKeyDeletion' as const, keyId: state.keyId }] : []),
        { type: 'EnableKey' as const, keyId: state.keyId },
      ],
    };
  },
};
