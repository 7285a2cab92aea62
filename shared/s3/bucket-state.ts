import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import type { BaselineReader, PolicyBaseline } from '#shared/audit/baseline-store.ts';
import { ConfigError, callAws, ResourceGoneError } from '#shared/errors/errors.ts';
import type { KeyStatus, KmsKeyReader } from './kms-key.ts';
import { type BucketAcl, normaliseAcl } from './policy/acl.ts';

/** The parts of a bucket's configuration a control may read; the reader fetches only these. */
export type BucketStatePart =
  | 'encryption'
  | 'publicAccessBlock'
  | 'wardenKey'
  | 'policy'
  | 'acl'
  | 'ownershipControls'
  | 'baselinePolicy';

/** Parts that are Warden's own context, not the bucket's configuration: never shown as before/after. */
export const CONTEXT_PARTS: ReadonlySet<BucketStatePart> = new Set(['wardenKey', 'baselinePolicy']);

/** S3 Object Ownership; `BucketOwnerEnforced` disables ACLs. */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

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
  /** The bucket policy JSON exactly as GetBucketPolicy returned it; null when the bucket has none. */
  readonly policy?: string | null;
  readonly acl?: BucketAcl;
  /** Object Ownership; null when the bucket has no ownership controls (ACLs enabled, ObjectWriter). */
  readonly ownershipControls?: ObjectOwnership | null;
  /** Warden's last-known-good policy for the bucket (from the audit table); null when it has none. */
  readonly baselinePolicy?: PolicyBaseline | null;
}

export interface BucketStateDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly kmsKeys: KmsKeyReader;
  /** Needed only when a control reads `baselinePolicy`. */
  readonly baselines?: BaselineReader;
}

export const ALL_BLOCKED: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export const NONE_BLOCKED: PublicAccessBlock = {
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

async function readBaseline(deps: BucketStateDeps, bucket: string, accountId: string, region?: string) {
  if (!deps.baselines || region === undefined)
    throw new ConfigError('A control reads the policy baseline but no baseline store or region is given');
  return (await deps.baselines.readPolicy({ accountId, region, bucket })) ?? null;
}

const when = <T>(wanted: boolean, read: () => Promise<T>): Promise<T | undefined> =>
  wanted ? read() : Promise.resolve(undefined);

/**
 * Reads the requested parts in parallel (one round trip). `ExpectedBucketOwner` makes S3 refuse
 * when the name now belongs to another account, so Warden never acts on someone else's bucket.
 */
export async function readBucketState(
  deps: BucketStateDeps,
  bucket: string,
  accountId: string,
  parts: ReadonlySet<BucketStatePart>,
  /** The bucket's region: needed only for `baselinePolicy`, which is kept per account and region. */
  region?: string,
): Promise<BucketState> {
  return callAws(`reading the configuration of bucket ${bucket}`, async () => {
    const [encryption, publicAccessBlock, wardenKey, policy, acl, ownershipControls, baselinePolicy] =
      await Promise.all([
        when(parts.has('encryption'), () => readEncryption(deps, bucket, accountId)),
        when(parts.has('publicAccessBlock'), () => readPublicAccessBlock(deps, bucket, accountId)),
        when(parts.has('wardenKey'), () => deps.kmsKeys.status()),
        when(parts.has('policy'), () => readPolicy(deps, bucket, accountId)),
        when(parts.has('acl'), () => readAcl(deps, bucket, accountId)),
        when(parts.has('ownershipControls'), () => readOwnershipControls(deps, bucket, accountId)),
        when(parts.has('baselinePolicy'), () => readBaseline(deps, bucket, accountId, region)),
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
      ...(baselinePolicy !== undefined ? { baselinePolicy } : {}),
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
