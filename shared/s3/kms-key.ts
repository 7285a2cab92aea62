import type { KMSClient } from '@aws-sdk/client-kms';
import { callAws } from '#shared/errors/errors.ts';
import { KEY_NOT_FOUND, type KeyStatus } from '#shared/model/bucket.ts';

export interface KmsKeyReader {
  status(): Promise<KeyStatus>;
}

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
        const { DescribeKeyCommand } = await import('#shared/aws/on-demand/kms.ts');
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
