import {
  DeleteBucketEncryptionCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  type Grant,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { callAws } from '#shared/errors/errors.ts';
import { ALL_BLOCKED } from '#shared/model/bucket.ts';
import { type BucketAction, isPrivateAcl } from '#shared/model/bucket-actions.ts';
import type { AclGrant } from '#shared/model/policy/acl.ts';

export interface BucketActionDeps {
  readonly s3: Pick<S3Client, 'send'>;
}

function sdkGrant(grant: AclGrant, ownerId: string | undefined): Grant | undefined {
  const { grantee, permission } = grant;
  switch (grantee.type) {
    case 'Group':
      return { Grantee: { Type: 'Group', URI: grantee.uri }, Permission: permission };
    case 'CanonicalUser':
      return { Grantee: { Type: 'CanonicalUser', ID: grantee.id }, Permission: permission };
    case 'AmazonCustomerByEmail':
      return {
        Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: grantee.email },
        Permission: permission,
      };
    case 'BucketOwner':
      return ownerId
        ? { Grantee: { Type: 'CanonicalUser', ID: ownerId }, Permission: permission }
        : undefined;
    case 'AmazonEC2':
      return undefined;
  }
}

function aclCommand(action: Extract<BucketAction, { type: 'PutBucketAcl' }>, accountId: string) {
  const base = { Bucket: action.bucket, ExpectedBucketOwner: accountId };
  const owner = action.acl.owner;
  if (isPrivateAcl(action.acl) || !owner) return new PutBucketAclCommand({ ...base, ACL: 'private' });
  const grants = action.acl.grants.flatMap((grant) => sdkGrant(grant, owner.id) ?? []);
  return new PutBucketAclCommand({
    ...base,
    AccessControlPolicy: {
      Owner: { ID: owner.id, ...(owner.displayName ? { DisplayName: owner.displayName } : {}) },
      Grants: grants,
    },
  });
}

function commandFor(action: BucketAction, accountId: string) {
  const base = { Bucket: action.bucket, ExpectedBucketOwner: accountId };
  switch (action.type) {
    case 'PutBucketEncryption':
      return new PutBucketEncryptionCommand({
        ...base,
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
    case 'RestoreBucketEncryption':
      return new PutBucketEncryptionCommand({
        ...base,
        ServerSideEncryptionConfiguration: {
          Rules: action.rules.map((rule) => ({
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: rule.algorithm as 'AES256',
              ...(rule.kmsKeyId ? { KMSMasterKeyID: rule.kmsKeyId } : {}),
            },
            BucketKeyEnabled: rule.bucketKeyEnabled,
            ...(rule.blockedEncryptionTypes.length > 0
              ? { BlockedEncryptionTypes: { EncryptionType: [...rule.blockedEncryptionTypes] as 'SSE-C'[] } }
              : {}),
          })),
        },
      });
    case 'DeleteBucketEncryption':
      return new DeleteBucketEncryptionCommand(base);
    case 'PutPublicAccessBlock':
      return new PutPublicAccessBlockCommand({
        ...base,
        PublicAccessBlockConfiguration: { ...(action.configuration ?? ALL_BLOCKED) },
      });
    case 'PutBucketPolicy':
      return new PutBucketPolicyCommand({ ...base, Policy: action.policy });
    case 'DeleteBucketPolicy':
      return new DeleteBucketPolicyCommand(base);
    case 'PutBucketAcl':
      return aclCommand(action, accountId);
    case 'PutBucketOwnershipControls':
      return new PutBucketOwnershipControlsCommand({
        ...base,
        OwnershipControls: { Rules: [{ ObjectOwnership: action.objectOwnership }] },
      });
    case 'DeleteBucketOwnershipControls':
      return new DeleteBucketOwnershipControlsCommand(base);
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
