import { GetBucketEncryptionCommand, GetPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PublicAccessBlock } from '#shared/model/bucket.ts';
import { publicAccessBlockOf } from '#shared/model/bucket.ts';

/** A bucket's encryption and Block Public Access as the emulator reports them; `null` = not configured. */
export interface BucketSnapshot {
  readonly encryption: {
    readonly algorithm: string;
    readonly kmsKeyId?: string;
    readonly bucketKeyEnabled: boolean;
  } | null;
  readonly publicAccessBlock: PublicAccessBlock | null;
}

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

async function readEncryption(s3: S3Client, bucket: string): Promise<BucketSnapshot['encryption']> {
  try {
    const output = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = output.ServerSideEncryptionConfiguration?.Rules?.[0];
    const byDefault = rule?.ApplyServerSideEncryptionByDefault;
    if (!byDefault?.SSEAlgorithm) return null;
    return {
      algorithm: byDefault.SSEAlgorithm,
      ...(byDefault.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
      bucketKeyEnabled: rule?.BucketKeyEnabled === true,
    };
  } catch (error) {
    if (errorName(error) === 'ServerSideEncryptionConfigurationNotFoundError') return null;
    throw error;
  }
}

async function readPublicAccessBlock(
  s3: S3Client,
  bucket: string,
): Promise<BucketSnapshot['publicAccessBlock']> {
  try {
    const output = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const flags = output.PublicAccessBlockConfiguration ?? {};
    return publicAccessBlockOf(flags);
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw error;
  }
}

/** Read-back used by the demo and tests to show and assert before/after state. */
export async function readBucketSnapshot(s3: S3Client, bucket: string): Promise<BucketSnapshot> {
  const [encryption, publicAccessBlock] = await Promise.all([
    readEncryption(s3, bucket),
    readPublicAccessBlock(s3, bucket),
  ]);
  return { encryption, publicAccessBlock };
}
