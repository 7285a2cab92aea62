import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ALL_BLOCKED, type PublicAccessBlock } from '#shared/model/bucket.ts';

/** The configuration a demo or test bucket should start from. */
export interface BucketSetup {
  /** `AES256` (SSE-S3), a KMS key, or omitted for no encryption configuration. */
  readonly encryption?: 'AES256' | { readonly kmsKeyArn: string };
  /** `all` four flags on, `none` (no configuration), or some flags. */
  readonly publicAccessBlock?: 'all' | 'none' | Partial<PublicAccessBlock>;
}

/** Creates the bucket in the emulator when missing and sets exactly the given configuration. */
export async function resetBucket(s3: S3Client, bucket: string, setup: BucketSetup = {}): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
  await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  if (setup.encryption) {
    const byDefault =
      setup.encryption === 'AES256'
        ? { SSEAlgorithm: 'AES256' as const }
        : { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: setup.encryption.kmsKeyArn };
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault }] },
      }),
    );
  }
  const flags = setup.publicAccessBlock;
  if (flags && flags !== 'none') {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: flags === 'all' ? ALL_BLOCKED : flags,
      }),
    );
  }
}
