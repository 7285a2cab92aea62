import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { callAws, ResourceGoneError } from '#shared/errors/errors.ts';
import type { KeyProtection, KeyState, KeyStatePart, ProtectionReason } from '#shared/model/kms-key.ts';
import { type BucketScanLimits, bucketsUsingKey } from './bucket-dependents.ts';

export interface KeyStateDeps {
  readonly kms: Pick<KMSClient, 'send'>;
  /** Lists the region's buckets and reads their default encryption (which keys buckets depend on). */
  readonly s3: Pick<S3Client, 'send'>;
}

/** What makes a key protected besides the buckets using it. */
export interface ProtectedKeys {
  /** Warden's aliases (bucket key and internal key), the same in every account and region. */
  readonly wardenAliases: readonly string[];
  /** Warden's hub key and `s3.approvedKmsKeyArns`. */
  readonly approvedKeyArns: readonly string[];
  readonly scanLimits?: BucketScanLimits;
}

async function aliasesOf(kms: Pick<KMSClient, 'send'>, keyId: string): Promise<string[]> {
  const aliases: string[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws(`listing the aliases of KMS key ${keyId}`, () =>
      kms.send(new ListAliasesCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) })),
    );
    // The emulator ignores the KeyId filter: keep only this key's aliases.
    for (const alias of page.Aliases ?? [])
      if (alias.AliasName && (alias.TargetKeyId === undefined || alias.TargetKeyId === keyId))
        aliases.push(alias.AliasName);
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return aliases.sort();
}

async function protectionOf(
  deps: KeyStateDeps,
  key: { keyId: string; arn: string; aliases: readonly string[] },
  region: string,
  protectedKeys: ProtectedKeys,
): Promise<KeyProtection> {
  const reasons: ProtectionReason[] = [];
  for (const alias of key.aliases)
    if (protectedKeys.wardenAliases.includes(alias)) reasons.push({ kind: 'warden-alias', alias });
  // Warden's hub key is among the approved ARNs too: its alias already says why.
  if (reasons.length === 0 && protectedKeys.approvedKeyArns.includes(key.arn))
    reasons.push({ kind: 'approved' });
  const scan = await bucketsUsingKey(deps.s3, key, region, protectedKeys.scanLimits);
  if (scan.buckets.length > 0) reasons.push({ kind: 'bucket-default', buckets: scan.buckets });
  if (scan.incomplete) reasons.push({ kind: 'unchecked-buckets', why: scan.incomplete });
  return { reasons, dependentBuckets: scan.buckets };
}

/**
 * A key's live state: its metadata and aliases always, its policy and what depends on it when asked.
 * A key that no longer exists is gone (nothing left to protect or report).
 */
export async function readKeyState(
  deps: KeyStateDeps,
  keyIdOrArn: string,
  region: string,
  parts: ReadonlySet<KeyStatePart>,
  protectedKeys: ProtectedKeys,
): Promise<KeyState> {
  const { KeyMetadata: meta } = await callAws(`describing KMS key ${keyIdOrArn}`, () =>
    deps.kms.send(new DescribeKeyCommand({ KeyId: keyIdOrArn })),
  ).catch((error: unknown) => {
    if (error instanceof ResourceGoneError)
      throw new ResourceGoneError(`KMS key ${keyIdOrArn} no longer exists`);
    throw error;
  });
  if (!meta?.KeyId || !meta.Arn) throw new ResourceGoneError(`KMS key ${keyIdOrArn} no longer exists`);
  const keyId = meta.KeyId;
  const arn = meta.Arn;
  const aliases = await aliasesOf(deps.kms, keyId);
  const [policy, protection] = await Promise.all([
    parts.has('policy')
      ? callAws(`reading the policy of KMS key ${keyId}`, () =>
          deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })),
        ).then((output) => output.Policy)
      : undefined,
    parts.has('protection') ? protectionOf(deps, { keyId, arn, aliases }, region, protectedKeys) : undefined,
  ]);
  return {
    keyId,
    arn,
    aliases,
    ...(meta.KeyState ? { keyState: meta.KeyState } : {}),
    ...(meta.KeyManager ? { keyManager: meta.KeyManager } : {}),
    ...(meta.DeletionDate ? { deletionDate: meta.DeletionDate.toISOString() } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(protection ? { protection } : {}),
  };
}
