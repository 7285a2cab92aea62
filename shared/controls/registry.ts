import { s3AccountPublicAccessBlock } from './s3-account-public-access-block.ts';
import { s3BucketPublicAccessBlock } from './s3-bucket-public-access-block.ts';
import { s3EncryptionKms } from './s3-encryption-kms.ts';
import { s3ForeignAccess } from './s3-foreign-access.ts';
import { s3PublicAcl } from './s3-public-acl.ts';
import { s3PublicPolicy } from './s3-public-policy.ts';
import { s3SecureTransport } from './s3-secure-transport.ts';
import type { AccountControl, BucketControl } from './types.ts';

/**
 * The registry of s3-guard's controls (root-guard's are in ./root-registry.ts, so its bundle carries no S3
 * control). Adding a control: its file, its tests, one line here (and its id in
 * shared/contracts/controls.ts, which the policy file is validated against). The EventBridge rules, the
 * IAM policies, `warden controls` and the README table follow from it.
 */

/** Every bucket control s3-guard runs. */
export const BUCKET_CONTROLS: readonly BucketControl[] = [
  s3EncryptionKms,
  s3BucketPublicAccessBlock,
  s3PublicPolicy,
  s3ForeignAccess,
  s3PublicAcl,
  s3SecureTransport,
];

/** Controls over the account's own S3 settings, triggered by events that name no bucket. */
export const ACCOUNT_CONTROLS: readonly AccountControl[] = [s3AccountPublicAccessBlock];

/** Event names that concern the account, not a bucket (s3-guard routes them to ACCOUNT_CONTROLS). */
export const S3_ACCOUNT_EVENT_NAMES: readonly string[] = [
  ...new Set(ACCOUNT_CONTROLS.flatMap((control) => control.triggers)),
];

/**
 * A bucket created or deleted under a name ends Warden's policy baseline for that name (in that account and
 * region): the last-known-good policy of one bucket must never be applied to another of the same name.
 */
export const BASELINE_ENDING_EVENT_NAMES: readonly string[] = ['CreateBucket', 'DeleteBucket'];

/** The CloudTrail event names that s3-guard handles (the EventBridge rule matches exactly these). */
export const S3_GUARD_EVENT_NAMES: readonly string[] = [
  ...new Set([
    ...BUCKET_CONTROLS.flatMap((control) => control.triggers),
    ...S3_ACCOUNT_EVENT_NAMES,
    ...BASELINE_ENDING_EVENT_NAMES,
  ]),
];
