import {
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  type Grant,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { SampleEvent } from '../../cli/local/sample-events.ts';

export {
  readAccountPublicAccessBlock,
  readBucketAclGrants,
  readBucketPolicy,
  readObjectOwnership,
} from '../../cli/local/access-snapshot.ts';

/** The policy document a PutBucketPolicy sample carries (any encoding), as its caller sent it. */
export const policyDocumentOf = (event: SampleEvent): Record<string, unknown> =>
  (event.detail.requestParameters as { bucketPolicy: Record<string, unknown> }).bucketPolicy;

/** Statements of a policy JSON, always as a list. */
export function statementsOf(policy: string | null): unknown[] {
  if (policy === null) return [];
  const statement = (JSON.parse(policy) as { Statement?: unknown }).Statement ?? [];
  return Array.isArray(statement) ? statement : [statement];
}

/** Sets the bucket's policy to exactly `policy` (or removes it with null). */
export async function setBucketPolicy(s3: S3Client, bucket: string, policy: object | null): Promise<void> {
  if (policy === null) await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  else await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

const GROUP = 'http://acs.amazonaws.com/groups';

/** Turns ACLs on (no ownership controls) and sets the grants: the owner's FULL_CONTROL plus `extra`. */
export async function setBucketAcl(
  s3: S3Client,
  bucket: string,
  extra: readonly {
    readonly group: 'global/AllUsers' | 'global/AuthenticatedUsers' | 's3/LogDelivery';
    readonly permission: Grant['Permission'];
  }[],
): Promise<void> {
  await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
  const { Owner } = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketAclCommand({
      Bucket: bucket,
      AccessControlPolicy: {
        Owner,
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: Owner?.ID }, Permission: 'FULL_CONTROL' },
          ...extra.map((grant) => ({
            Grantee: { Type: 'Group' as const, URI: `${GROUP}/${grant.group}` },
            Permission: grant.permission,
          })),
        ],
      },
    }),
  );
}
