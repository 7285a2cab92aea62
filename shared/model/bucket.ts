import type { BucketAcl } from '#shared/model/policy/acl.ts';

/**
 * The SDK-free model of a bucket's configuration: what the readers fill in, what the pure controls judge
 * and what the writers apply. Controls and adapters both import it; it imports no SDK.
 */

/**
 * A bucket's last-known-good policy: the last policy Warden observed and judged compliant. CloudTrail
 * carries only the new policy, so rolling back needs this copy. `policy: null` means "no bucket policy"
 * was the good state (e.g. after DeleteBucketPolicy).
 */
export interface PolicyBaseline {
  /** The policy JSON exactly as GetBucketPolicy returned it, or null for no policy. */
  readonly policy: string | null;
  readonly observedAt: string;
  /** The CloudTrail event whose processing observed it. */
  readonly eventId: string;
}

/** Whether a KMS key can safely be set as a bucket's default encryption key. */
export interface KeyStatus {
  /** The key's ARN; the alias ARN that was looked up when no key answers to it. */
  readonly arn: string;
  readonly state: string;
  readonly usable: boolean;
}

/** The state reported when the key (or alias) does not exist in the account and region. */
export const KEY_NOT_FOUND = 'NotFound';

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

/**
 * The four Block Public Access flags as S3 and S3 Control return them (each optional), with an unset
 * flag read as off, which is what S3 applies.
 */
export function publicAccessBlockOf(flags: {
  readonly BlockPublicAcls?: boolean | undefined;
  readonly IgnorePublicAcls?: boolean | undefined;
  readonly BlockPublicPolicy?: boolean | undefined;
  readonly RestrictPublicBuckets?: boolean | undefined;
}): PublicAccessBlock {
  return {
    BlockPublicAcls: flags.BlockPublicAcls === true,
    IgnorePublicAcls: flags.IgnorePublicAcls === true,
    BlockPublicPolicy: flags.BlockPublicPolicy === true,
    RestrictPublicBuckets: flags.RestrictPublicBuckets === true,
  };
}
