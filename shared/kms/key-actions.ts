import {
  CancelKeyDeletionCommand,
  EnableKeyCommand,
  type KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { callAws } from '#shared/errors/errors.ts';
import { describeKeyAction, type KeyAction } from '#shared/model/kms-key.ts';

/** Applies one planned key action. Key ids, never ARNs: the emulator answers 500 to an ARN here. */
export async function applyKeyAction(kms: Pick<KMSClient, 'send'>, action: KeyAction): Promise<void> {
  const context = describeKeyAction(action, 'proposed').replace(/^Would /, '');
  await callAws(context, () => {
    switch (action.type) {
      case 'CancelKeyDeletion':
        return kms.send(new CancelKeyDeletionCommand({ KeyId: action.keyId }));
      case 'EnableKey':
        return kms.send(new EnableKeyCommand({ KeyId: action.keyId }));
      case 'PutKeyPolicy':
        // The lockout safety check stays on: KMS refuses a policy that would lock the account out.
        return kms.send(
          new PutKeyPolicyCommand({ KeyId: action.keyId, PolicyName: 'default', Policy: action.policy }),
        );
    }
  });
}
