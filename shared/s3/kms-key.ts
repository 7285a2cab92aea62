import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { callAws } from '#shared/errors/errors.ts';

/** Whether a KMS key can safely be set as a bucket's default encryption key. */
export interface KeyStatus {
  /** The key's ARN; the alias ARN that was looked up when no key answers to it. */
  readonly arn: string;
  readonly state: string;
  readonly usable: boolean;
}

export interface KmsKeyReader {
  status(): Promise<KeyStatus>;
}

/** The state reported when the key (or alias) does not exist in the account and region. */
export const KEY_NOT_FOUND = 'NotFound';

/** Warden's key in one account and region, by the alias every Warden stack gives it there. */
export function wardenKeyAliasArn(
  partition: string,
  region: string,
  accountId: string,
  alias: string,
): string {
  return `arn:${partition}:kms:${region}:${accountId}:${alias}`;
}

/**
 * Reads the live status of Warden's key (by key ARN or alias ARN); never cached, because a disabled
 * key must stop fixes at once. A key that does not exist is a status, not an error: the bucket is
 * still there and the fix must be refused with the reason.
 */
export function kmsKeyReader(kms: Pick<KMSClient, 'send'>, keyId: string): KmsKeyReader {
  return {
    status: () =>
      callAws(`describing KMS key ${keyId}`, async () => {
        try {
          const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
          const state = KeyMetadata?.KeyState ?? (KeyMetadata?.Enabled ? 'Enabled' : 'Unknown');
          return {
            arn: KeyMetadata?.Arn ?? keyId,
            state,
            usable: state === 'Enabled' && KeyMetadata?.Enabled === true,
          };
        } catch (error) {
          if ((error as { name?: string } | null)?.name !== 'NotFoundException') throw error;
          return { arn: keyId, state: KEY_NOT_FOUND, usable: false };
        }
      }),
  };
}
