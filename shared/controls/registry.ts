import { s3BucketPublicAccessBlock } from './s3-bucket-public-access-block.ts';
import { s3EncryptionKms } from './s3-encryption-kms.ts';
import type { BucketControl } from './types.ts';

/** Every bucket control s3-guard runs. Adding a control: its file, its tests, one line here. */
export const BUCKET_CONTROLS: readonly BucketControl[] = [s3EncryptionKms, s3BucketPublicAccessBlock];

/** The CloudTrail event names that s3-guard handles (the EventBridge rule matches exactly these). */
export const S3_GUARD_EVENT_NAMES: readonly string[] = [
  ...new Set(BUCKET_CONTROLS.flatMap((control) => control.triggers)),
];
