import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { callAws } from '#shared/errors/errors.ts';

/** Whether a KMS key can safely be set as a bucket's default encryption key. */
export interface KeyStatus {
  readonly arn: string;
  readonly state: string;
  readonly usable: boolean;
}

export interface KmsKeyReader {
  status(): Promise<KeyStatus>;
}

/** Reads the live status of Warden's key; never cached, because a disabled key must stop fixes at once. */
export function kmsKeyReader(kms: Pick<KMSClient, 'send'>, keyArn: string): KmsKeyReader {
  return {
    status: () =>
      callAws(`describing KMS key ${keyArn}`, async () => {
        const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
        const state = KeyMetadata?.KeyState ?? (KeyMetadata?.Enabled ? 'Enabled' : 'Unknown');
        return {
          arn: KeyMetadata?.Arn ?? keyArn,
          state,
          usable: state === 'Enabled' && KeyMetadata?.Enabled === true,
        };
      }),
  };
}
