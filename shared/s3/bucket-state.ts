import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { callAws, ResourceGoneError } from '#shared/errors/errors.ts';
import {
  type BucketState,
  type BucketStatePart,
  type EncryptionRule,
  NONE_BLOCKED,
  type ObjectOwnership,
  publicAccessBlockOf,
} from '#shared/model/bucket.ts';
import { normaliseAcl } from '#shared/model/policy/acl.ts';
import type { KmsKeyReader } from './kms-key.ts';

export interface BucketStateDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly kmsKeys: KmsKeyReader;
}

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
    return publicAccessBlockOf(config);
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return NONE_BLOCKED;
    throw error;
  }
}

async function readPolicy(deps: BucketStateDeps, bucket: string, owner: string) {
  try {
    const output = await deps.s3.send(
      new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: owner }),
    );
    return output.Policy ?? null;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucketPolicy') return null;
    throw error;
  }
}

async function readAcl(deps: BucketStateDeps, bucket: string, owner: string) {
  const output = await deps.s3.send(new GetBucketAclCommand({ Bucket: bucket, ExpectedBucketOwner: owner }));
  return normaliseAcl({ Owner: output.Owner, Grants: output.Grants ?? [] });
}

async function readOwnershipControls(deps: BucketStateDeps, bucket: string, owner: string) {
  try {
    const output = await deps.s3.send(
      new GetBucketOwnershipControlsCommand({ Bucket: bucket, ExpectedBucketOwner: owner }),
    );
    return (output.OwnershipControls?.Rules?.[0]?.ObjectOwnership as ObjectOwnership | undefined) ?? null;
  } catch (error) {
    if (errorName(error) === 'OwnershipControlsNotFoundError') return null;
    throw error;
  }
}

const when = <T>(wanted: boolean, read: () => Promise<T>): Promise<T | undefined> =>
  wanted ? read() : Promise.resolve(undefined);

/**
 * Reads the requested parts of the bucket's own configuration in parallel (one round trip); Warden's
 * context parts that live elsewhere (`baselinePolicy`, in the audit table) are read by the caller.
 * `ExpectedBucketOwner` makes S3 refuse when the name now belongs to another account, so Warden never
 * acts on someone else's bucket.
 */
export async function readBucketState(
  deps: BucketStateDeps,
  bucket: string,
  accountId: string,
  parts: ReadonlySet<BucketStatePart>,
): Promise<BucketState> {
  return callAws(`reading the configuration of bucket ${bucket}`, async () => {
    const [encryption, publicAccessBlock, wardenKey, policy, acl, ownershipControls] = await Promise.all([
      when(parts.has('encryption'), () => readEncryption(deps, bucket, accountId)),
      when(parts.has('publicAccessBlock'), () => readPublicAccessBlock(deps, bucket, accountId)),
      when(parts.has('wardenKey'), () => deps.kmsKeys.status()),
      when(parts.has('policy'), () => readPolicy(deps, bucket, accountId)),
      when(parts.has('acl'), () => readAcl(deps, bucket, accountId)),
      when(parts.has('ownershipControls'), () => readOwnershipControls(deps, bucket, accountId)),
    ]);
    return {
      bucket,
      accountId,
      ...(encryption ? { encryption } : {}),
      ...(publicAccessBlock ? { publicAccessBlock } : {}),
      ...(wardenKey ? { wardenKey } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(acl ? { acl } : {}),
      ...(ownershipControls !== undefined ? { ownershipControls } : {}),
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
