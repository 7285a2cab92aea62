import {
  GetBucketEncryptionCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { callAws, ResourceGoneError } from '#shared/errors/errors.ts';
import type { KeyStatus, KmsKeyReader } from './kms-key.ts';

/** The parts of a bucket's configuration a control may read; the reader fetches only these. */
export type BucketStatePart = 'encryption' | 'publicAccessBlock' | 'wardenKey';

export interface EncryptionRule {
  readonly algorithm: string;
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled: boolean;
  readonly blockedEncryptionTypes: readonly string[];
}

export interface PublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

/** Live configuration of one bucket; a part is present when it was read. */
export interface BucketState {
  readonly bucket: string;
  readonly accountId: string;
  /** Default-encryption rules; empty when the bucket has no configuration (possible in old buckets and emulators). */
  readonly encryption?: readonly EncryptionRule[];
  readonly publicAccessBlock?: PublicAccessBlock;
  /** Status of Warden's own key, read with the bucket so a fix never targets an unusable key. */
  readonly wardenKey?: KeyStatus;
}

export interface BucketStateDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly kmsKeys: KmsKeyReader;
}

export const ALL_BLOCKED: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const NONE_BLOCKED: PublicAccessBlock = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;

function toEncryptionRule(rule: ServerSideEncryptionRule): EncryptionRule {
  const byDefault = rule.ApplyServerSideEncryptionByDefault;
  return {
    algorithm: byDefault?.SSEAlgorithm ?? 'NONE',
    ...(byDefault?.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
    bucketKeyEnabled: rule.BucketKeyEnabled === true,
    blockedEncryptionTypes: rule.BlockedEncryptionTypes?.EncryptionType ?? [],
  };
}

async function readEncryption(deps: BucketStateDeps, bucket: string, owner: string) {
  try {
    const output = await deps.s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket, ExpectedBucketOwner: owner }),
    );
    return (output.ServerSideEncryptionConfiguration?.Rules ?? []).map(toEncryptionRule);
  } catch (error) {
    if (errorName(error) === 'ServerSideEncryptionConfigurationNotFoundError') return [];
    throw error;
  }
}

async function readPublicAccessBlock(deps: BucketStateDeps, bucket: string, owner: string) {
  try {
    const output = await deps.s3.send(
      new GetPublicAccessBlockCommand({ Bucket: bucket, ExpectedBucketOwner: owner }),
    );
    const config = output.PublicAccessBlockConfiguration ?? {};
    return {
      BlockPublicAcls: config.BlockPublicAcls === true,
      IgnorePublicAcls: config.IgnorePublicAcls === true,
      BlockPublicPolicy: config.BlockPublicPolicy === true,
      RestrictPublicBuckets: config.RestrictPublicBuckets === true,
    };
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return NONE_BLOCKED;
    throw error;
  }
}

/**
 * Reads the requested parts in parallel (one round trip). `ExpectedBucketOwner` makes S3 refuse
 * when the name now belongs to another account, so Warden never acts on someone else's bucket.
 */
export async function readBucketState(
  deps: BucketStateDeps,
  bucket: string,
  accountId: string,
  parts: ReadonlySet<BucketStatePart>,
): Promise<BucketState> {
  return callAws(`reading the configuration of bucket ${bucket}`, async () => {
    const [encryption, publicAccessBlock, wardenKey] = await Promise.all([
      parts.has('encryption') ? readEncryption(deps, bucket, accountId) : undefined,
      parts.has('publicAccessBlock') ? readPublicAccessBlock(deps, bucket, accountId) : undefined,
      parts.has('wardenKey') ? deps.kmsKeys.status() : undefined,
    ]);
    return {
      bucket,
      accountId,
      ...(encryption ? { encryption } : {}),
      ...(publicAccessBlock ? { publicAccessBlock } : {}),
      ...(wardenKey ? { wardenKey } : {}),
    };
  }).catch((error: unknown) => {
    if (error instanceof ResourceGoneError) {
      throw new ResourceGoneError(`Bucket ${bucket} no longer exists in account ${accountId}`, {
        cause: error,
      });
    }
    throw error;
  });
}
