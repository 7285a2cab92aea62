import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { type CapturedAlert, takeCapturedAlerts } from '#shared/local/alert-capture.ts';
import { makeLocalClients } from '#shared/local/clients.ts';
import type { LocalConfig } from '#shared/local/local-config.ts';
import { ALL_BLOCKED } from '#shared/s3/bucket-state.ts';

export { readBucketSnapshot } from '#shared/local/bucket-snapshot.ts';
export { loadSampleEvent, retargetEvent } from '#shared/local/sample-events.ts';

/** The emulator provisioned by the global setup. */
export const localConfig = (): LocalConfig => inject('localConfig');

/** Clients pointed at the emulator (S3 path-style, dummy credentials). */
export const makeClients = (config: LocalConfig = localConfig()) => makeLocalClients(config);

/** A bucket name no other test uses: `<prefix>-<8 hex>`, lower case as S3 requires. */
export const uniqueBucketName = (prefix = 'test') => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface BucketSetup {
  /** `AES256`, a KMS key ARN, or undefined for no encryption configuration. */
  readonly encryption?: 'AES256' | { readonly kmsKeyArn: string };
  readonly publicAccessBlock?: 'all' | 'none' | Partial<typeof ALL_BLOCKED>;
}

/** Creates the bucket when missing and sets exactly the given configuration. */
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

/** Alerts published since the last call (the capture queue is drained). */
export function takeAlerts(config: LocalConfig = localConfig()): Promise<CapturedAlert[]> {
  return takeCapturedAlerts(makeClients(config).sqs, config.alertCaptureQueueUrl);
}
