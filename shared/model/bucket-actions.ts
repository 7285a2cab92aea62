import type { BucketAcl } from '#shared/model/policy/acl.ts';
import { type ActionTense, verb } from './action-tense.ts';
import type { EncryptionRule, ObjectOwnership, PublicAccessBlock } from './bucket.ts';

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
