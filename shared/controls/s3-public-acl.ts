import { type BucketAction, isPrivateAcl } from '#shared/model/bucket-actions.ts';
import { type AclGrant, type BucketAcl, findPublicGrants } from '#shared/model/policy/acl.ts';
import { describeGrant, describeGrants } from './acl-text.ts';
import type { BucketControl } from './types.ts';

/** A grant to AllUsers or AuthenticatedUsers, in any spelling of the group URI. */
const isPublicGrant = (grant: AclGrant): boolean => findPublicGrants({ grants: [grant] }).length > 0;

/**
 * Bucket ACL grants to AllUsers or AuthenticatedUsers ("The meaning of public" → ACLs), however they were
 * set (canned `x-amz-acl`, grant list, `x-amz-grant-*`): the live ACL is what counts. Fix: write the ACL back
 * without the public grants (private when only the owner is left), then disable ACLs with Object Ownership
 * BucketOwnerEnforced. Log-delivery grants are not public and stay; S3 refuses BucketOwnerEnforced while
 * the ACL grants anyone but the owner, so then ACLs stay enabled and the alert says why.
 */
export const s3PublicAcl: BucketControl = {
  id: 's3-public-acl',
  title: 'S3 bucket ACLs do not grant public access',
  severity: 'CRITICAL',
  compliance: [
    'Security Hub S3.2 (block public read access)',
    'Security Hub S3.3 (block public write access)',
  ],
  triggers: ['CreateBucket', 'PutBucketAcl', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls'],
  reads: ['acl', 'ownershipControls'],
  defaultMode: 'enforce',

  check(state) {
    const acl = state.acl;
    if (!acl) return undefined;
    const publicGrants = acl.grants.filter(isPublicGrant);
    if (publicGrants.length === 0) return undefined;
    return {
      controlId: 's3-public-acl',
      resource: state.bucket,
      summary: `Bucket ${state.bucket} ACL grants public access: ${describeGrants(publicGrants)} (Object Ownership ${state.ownershipControls ?? 'not set, ACLs enabled'}).`,
      observed: publicGrants.map(describeGrant),
    };
  },

  fix(_finding, state) {
    const acl = state.acl;
    if (!acl) return { actions: [] };
    const removed = acl.grants.filter(isPublicGrant);
    const kept: BucketAcl = { ...acl, grants: acl.grants.filter((grant) => !isPublicGrant(grant)) };
    const others = kept.grants.filter((grant) => !isPrivateAcl({ ...kept, grants: [grant] }));
    const actions: BucketAction[] = [
      {
        type: 'PutBucketAcl',
        bucket: state.bucket,
        acl: kept,
        why: `removed ${describeGrants(removed)}${others.length > 0 ? `; kept ${describeGrants(others)}` : ''}`,
      },
    ];
    if (state.ownershipControls !== 'BucketOwnerEnforced' && others.length === 0) {
      actions.push({
        type: 'PutBucketOwnershipControls',
        bucket: state.bucket,
        objectOwnership: 'BucketOwnerEnforced',
      });
    }
    return { actions };
  },
};
