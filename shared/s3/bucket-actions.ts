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
import { type ActionTense, verb } from './action-tense.ts';
import {
  ALL_BLOCKED,
  type EncryptionRule,
  type ObjectOwnership,
  type PublicAccessBlock,
} from './bucket-state.ts';
import type { AclGrant, BucketAcl } from './policy/acl.ts';

/** A write Warden may make to a bucket: plain data, planned by a control (or an undo), applied here. */
export type BucketAction =
  | { readonly type: 'PutBucketEncryption'; readonly bucket: string; readonly kmsKeyArn: string }
  /** Undo only: writes back encryption rules exactly as they were read. */
  | {
      readonly type: 'RestoreBucketEncryption';
      readonly bucket: string;
      readonly rules: readonly EncryptionRule[];
    }
  | { readonly type: 'DeleteBucketEncryption'; readonly bucket: string }
  /** All four flags on, unless `configuration` says otherwise (undo). */
  | {
      readonly type: 'PutPublicAccessBlock';
      readonly bucket: string;
      readonly configuration?: PublicAccessBlock;
    }
  /** `why` says what was restored or removed, quoting it, for alerts and the audit trail. */
  | {
      readonly type: 'PutBucketPolicy';
      readonly bucket: string;
      readonly policy: string;
      readonly why: string;
    }
  | { readonly type: 'DeleteBucketPolicy'; readonly bucket: string; readonly why: string }
  /** Writes exactly these grants; an ACL granting only the owner is written as the canned `private`. */
  | {
      readonly type: 'PutBucketAcl';
      readonly bucket: string;
      readonly acl: BucketAcl;
      readonly why: string;
    }
  | {
      readonly type: 'PutBucketOwnershipControls';
      readonly bucket: string;
      readonly objectOwnership: ObjectOwnership;
    }
  | { readonly type: 'DeleteBucketOwnershipControls'; readonly bucket: string };

/** True when the ACL grants nothing but the owner's full control: the canned `private` ACL. */
export function isPrivateAcl(acl: BucketAcl): boolean {
  return acl.grants.every(
    (grant) =>
      grant.permission === 'FULL_CONTROL' &&
      (grant.grantee.type === 'BucketOwner' ||
        (grant.grantee.type === 'CanonicalUser' && grant.grantee.id === acl.owner?.id)),
  );
}

/** A person-readable line for alerts and the audit trail: what Warden did, or what it would do. */
export function describeAction(action: BucketAction, tense: ActionTense = 'done'): string {
  const said = (past: string, base: string) => verb(tense, past, base);
  switch (action.type) {
    case 'PutBucketEncryption':
      return `${said('Set', 'set')} default encryption to SSE-KMS with ${action.kmsKeyArn} (Bucket Key on, SSE-C blocked)`;
    case 'RestoreBucketEncryption':
      return `${said('Restored', 'restore')} default encryption to ${action.rules.map((rule) => `${rule.algorithm}${rule.kmsKeyId ? ` with ${rule.kmsKeyId}` : ''}`).join(', ')}`;
    case 'DeleteBucketEncryption':
      return `${said('Deleted', 'delete')} the default encryption configuration (S3 falls back to SSE-S3)`;
    case 'PutPublicAccessBlock': {
      const config = action.configuration;
      if (!config || Object.values(config).every(Boolean))
        return `${said('Turned', 'turn')} on all four Block Public Access settings`;
      const on = Object.entries(config)
        .filter(([, value]) => value)
        .map(([flag]) => flag);
      return `${said('Set', 'set')} Block Public Access to ${on.length > 0 ? `only ${on.join(', ')} on` : 'all off'}`;
    }
    case 'PutBucketPolicy':
      return `${said('Replaced', 'replace')} the bucket policy: ${action.why}`;
    case 'DeleteBucketPolicy':
      return `${said('Deleted', 'delete')} the bucket policy: ${action.why}`;
    case 'PutBucketAcl':
      return `${isPrivateAcl(action.acl) ? `${said('Reset', 'reset')} the bucket ACL to private` : `${said('Rewrote', 'rewrite')} the bucket ACL`}: ${action.why}`;
    case 'PutBucketOwnershipControls':
      return action.objectOwnership === 'BucketOwnerEnforced'
        ? `${said('Set', 'set')} Object Ownership to BucketOwnerEnforced (ACLs disabled)`
        : `${said('Set', 'set')} Object Ownership to ${action.objectOwnership}`;
    case 'DeleteBucketOwnershipControls':
      return `${said('Deleted', 'delete')} the Object Ownership setting (ACLs enabled, ObjectWriter)`;
  }
}

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
