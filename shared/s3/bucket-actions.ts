import { PutBucketEncryptionCommand, PutPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import { callAws } from '#shared/errors/errors.ts';
import { ALL_BLOCKED } from './bucket-state.ts';

/** A write Warden may make to a bucket: plain data, planned by a control, applied here. */
export type BucketAction =
  | { readonly type: 'PutBucketEncryption'; readonly bucket: string; readonly kmsKeyArn: string }
  | { readonly type: 'PutPublicAccessBlock'; readonly bucket: string };

/** A person-readable line for alerts and the audit trail. */
export function describeAction(action: BucketAction): string {
  switch (action.type) {
    case 'PutBucketEncryption':
      return `Set default encryption to SSE-KMS with ${action.kmsKeyArn} (Bucket Key on, SSE-C blocked)`;
    case 'PutPublicAccessBlock':
      return 'Turned on all four Block Public Access settings';
  }
}

export interface BucketActionDeps {
  readonly s3: Pick<S3Client, 'send'>;
}

function commandFor(action: BucketAction, accountId: string) {
  switch (action.type) {
    case 'PutBucketEncryption':
      return new PutBucketEncryptionCommand({
        Bucket: action.bucket,
        ExpectedBucketOwner: accountId,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              // The full key ARN: an alias or key id would resolve in the caller's account.
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: action.kmsKeyArn,
              },
              BucketKeyEnabled: true,
              BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            },
          ],
        },
      });
    case 'PutPublicAccessBlock':
      return new PutPublicAccessBlockCommand({
        Bucket: action.bucket,
        ExpectedBucketOwner: accountId,
        PublicAccessBlockConfiguration: { ...ALL_BLOCKED },
      });
  }
}

export async function applyBucketAction(
  deps: BucketActionDeps,
  action: BucketAction,
  accountId: string,
): Promise<void> {
  // The union of command types is not assignable to `send`'s overloads; each member is.
  const command = commandFor(action, accountId) as PutPublicAccessBlockCommand;
  await callAws(`${action.type} on bucket ${action.bucket}`, () => deps.s3.send(command));
}
