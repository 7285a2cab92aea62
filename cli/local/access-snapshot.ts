import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  type Grant,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import type { PublicAccessBlock } from '#shared/model/bucket.ts';
import { publicAccessBlockOf } from '#shared/model/bucket.ts';

/** Read-backs of who can reach a bucket (policy, ACL, Object Ownership) and of the account's Block Public Access. */

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

/** The policy JSON as S3 returns it; null when the bucket has none. */
export async function readBucketPolicy(s3: S3Client, bucket: string): Promise<string | null> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucketPolicy') return null;
    throw error;
  }
}

/** One ACL grant as `grantee:permission`, the grantee a group name (`AllUsers`) or `owner`/`user <id>`. */
export interface GrantView {
  readonly grantee: string;
  readonly permission: string;
}

function granteeName(grant: Grant, ownerId: string | undefined): string {
  const grantee = grant.Grantee;
  if (grantee?.URI) return grantee.URI.replace(/^.*\/groups\/(global|s3)\//, '');
  if (grantee?.ID && grantee.ID === ownerId) return 'owner';
  return `user ${grantee?.ID ?? grantee?.EmailAddress ?? 'unknown'}`;
}

export async function readBucketAclGrants(s3: S3Client, bucket: string): Promise<GrantView[]> {
  const output = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
  return (output.Grants ?? []).map((grant) => ({
    grantee: granteeName(grant, output.Owner?.ID),
    permission: grant.Permission ?? 'UNKNOWN',
  }));
}

/** `BucketOwnerEnforced` and friends; null when the bucket has no ownership controls (ACLs on). */
export async function readObjectOwnership(s3: S3Client, bucket: string): Promise<string | null> {
  try {
    const output = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    return output.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null;
  } catch (error) {
    if (errorName(error) === 'OwnershipControlsNotFoundError') return null;
    throw error;
  }
}

/** The account-level Block Public Access flags through S3 Control; null when not configured. */
export async function readAccountPublicAccessBlock(
  s3Control: S3ControlClient,
  accountId: string,
): Promise<PublicAccessBlock | null> {
  try {
    const flags =
      (await s3Control.send(new GetPublicAccessBlockCommand({ AccountId: accountId })))
        .PublicAccessBlockConfiguration ?? {};
    return publicAccessBlockOf(flags);
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw error;
  }
}
