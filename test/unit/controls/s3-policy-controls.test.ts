import { describe, expect, it } from 'vitest';
import { s3AccountPublicAccessBlock } from '#shared/controls/s3-account-public-access-block.ts';
import { s3ForeignAccess } from '#shared/controls/s3-foreign-access.ts';
import { s3PublicAcl } from '#shared/controls/s3-public-acl.ts';
import { s3PublicPolicy } from '#shared/controls/s3-public-policy.ts';
import type { BucketControl, EvaluationContext } from '#shared/controls/types.ts';
import { ALL_BLOCKED, type BucketState, NONE_BLOCKED } from '#shared/model/bucket.ts';
import type { BucketAcl } from '#shared/model/policy/acl.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const contextWith = (policy: Partial<PolicyInput> = {}): EvaluationContext => ({
  policy: makePolicy(policy),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
});
const context = contextWith();
const bucket = (parts: Partial<BucketState>): BucketState => ({
  bucket: 'example-bucket',
  accountId: ACCOUNT_ID,
  ...parts,
});
/** check then fix, as the use case does; fails the test when the check finds nothing. */
function planOf(control: BucketControl, state: BucketState, ctx: EvaluationContext) {
  const finding = control.check(state, ctx);
  if (!finding) throw new Error(`${control.id} found nothing to fix`);
  return control.fix(finding, state, ctx);
}
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

const PUBLIC = {
  Sid: 'Public',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
};
const TEAM = {
  Sid: 'Team',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:role/team` },
  Action: 's3:GetObject',
  Resource: '*',
};
const PARTNER = {
  Sid: 'Partner',
  Effect: 'Allow',
  Principal: { AWS: '444455556666' },
  Action: 's3:GetObject',
  Resource: '*',
};

describe('s3-public-policy', () => {
  it('is compliant without a policy and with a policy granting fixed principals only', () => {
    expect(s3PublicPolicy.check(bucket({ policy: null }), context)).toBeUndefined();
    expect(s3PublicPolicy.check(bucket({ policy: policy(TEAM) }), context)).toBeUndefined();
  });

  it('finds a public statement and quotes it', () => {
    const finding = s3PublicPolicy.check(bucket({ policy: policy(TEAM, PUBLIC) }), context);

    expect(finding?.summary).toContain('"Public" {"Sid":"Public","Effect":"Allow","Principal":"*"');
    expect(finding?.observed).toEqual([PUBLIC]);
  });

  it('plans a strip and Block Public Access when there is no baseline', () => {
    const state = bucket({
      policy: policy(TEAM, PUBLIC),
      publicAccessBlock: NONE_BLOCKED,
      baselinePolicy: null,
    });
    const finding = s3PublicPolicy.check(state, context);

    const plan = finding && s3PublicPolicy.fix(finding, state, context);

    expect(plan).toEqual({
      actions: [
        expect.objectContaining({ type: 'PutBucketPolicy', policy: policy(TEAM) }),
        { type: 'PutPublicAccessBlock', bucket: 'example-bucket', configuration: ALL_BLOCKED },
      ],
    });
  });

  it('does not restore a baseline that is itself public', () => {
    const baselinePolicy = { policy: policy(PUBLIC), observedAt: 't', eventId: 'e' };
    const state = bucket({ policy: policy(TEAM, PUBLIC), publicAccessBlock: ALL_BLOCKED, baselinePolicy });
    const finding = s3PublicPolicy.check(state, context);

    expect(finding && s3PublicPolicy.fix(finding, state, context)).toEqual({
      actions: [expect.objectContaining({ type: 'PutBucketPolicy', policy: policy(TEAM) })],
    });
  });
});

describe('s3-public-policy rollback: legitimate statements survive, nothing is granted back', () => {
  const OPS = {
    Sid: 'Ops',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:role/ops` },
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::example-bucket/*',
  };
  const DENY_DELETE = {
    Sid: 'DenyDelete',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:DeleteObject',
    Resource: 'arn:aws:s3:::example-bucket/*',
  };
  const TEAM_MADE_PUBLIC = { ...TEAM, Principal: '*' };
  const noPolicy = { policy: null, observedAt: 't0', eventId: 'e0' };
  const teamOnly = { policy: policy(TEAM), observedAt: 't0', eventId: 'e0' };
  const teamAndDeny = { policy: policy(TEAM, DENY_DELETE), observedAt: 't0', eventId: 'e0' };

  it.each([
    {
      name: 'no-policy baseline, public statement next to a legitimate one: only the public one is removed',
      baselinePolicy: noPolicy,
      current: policy(TEAM, PUBLIC),
      expected: {
        type: 'PutBucketPolicy',
        policy: policy(TEAM),
        why: expect.stringMatching(
          /^removed 1 offending statement \(Public\): "Public" .*; kept 1 other statement\(s\) unchanged$/,
        ),
      },
    },
    {
      name: 'nothing but the public statement: the policy is deleted',
      baselinePolicy: noPolicy,
      current: policy(PUBLIC),
      expected: {
        type: 'DeleteBucketPolicy',
        why: expect.stringMatching(/^the policy held only 1 offending statement \(Public\): "Public" /),
      },
    },
    {
      name: 'baseline A, new policy A + new legitimate B + public P: P is removed, B kept',
      baselinePolicy: teamOnly,
      current: policy(TEAM, OPS, PUBLIC),
      expected: {
        type: 'PutBucketPolicy',
        policy: policy(TEAM, OPS),
        why: expect.stringMatching(
          /^removed 1 offending statement \(Public\): .*; kept 2 other statement\(s\) unchanged$/,
        ),
      },
    },
    {
      name: 'baseline A, new policy turns A public: A is removed, not granted back',
      baselinePolicy: teamOnly,
      current: policy(TEAM_MADE_PUBLIC),
      expected: {
        type: 'DeleteBucketPolicy',
        why: expect.stringMatching(
          /^the policy held only 1 offending statement \(Team\); did not bring back 1 earlier Allow statement \(Team\) of the last-known-good policy: Warden never grants access, re-add it if still wanted: "Team" /,
        ),
      },
    },
    {
      name: 'baseline A + Deny D, new policy A + P without D: P removed, D brought back',
      baselinePolicy: teamAndDeny,
      current: policy(TEAM, PUBLIC),
      expected: {
        type: 'PutBucketPolicy',
        policy: policy(TEAM, DENY_DELETE),
        why: expect.stringMatching(
          /^removed 1 offending statement \(Public\); brought back 1 Deny statement \(DenyDelete\) .*\(Deny statements from the last-known-good policy observed t0: "DenyDelete" .*\)$/,
        ),
      },
    },
  ])('$name', ({ baselinePolicy, current, expected }) => {
    // Prepare
    const state = bucket({ policy: current, publicAccessBlock: ALL_BLOCKED, baselinePolicy });

    // Act
    const plan = planOf(s3PublicPolicy, state, context);

    // Assess
    expect(plan).toEqual({ actions: [{ bucket: 'example-bucket', ...expected }] });
  });
});

describe('s3-foreign-access', () => {
  it('is compliant for the owner account and for allowed accounts', () => {
    expect(s3ForeignAccess.check(bucket({ policy: policy(TEAM) }), context)).toBeUndefined();
    expect(
      s3ForeignAccess.check(
        bucket({ policy: policy(PARTNER) }),
        contextWith({ s3: { allowedAccountIds: ['444455556666'] } }),
      ),
    ).toBeUndefined();
  });

  it('finds a statement granting another account, and leaves public ones to the public-policy control', () => {
    const finding = s3ForeignAccess.check(bucket({ policy: policy(TEAM, PARTNER, PUBLIC) }), context);

    expect(finding?.observed).toEqual([PARTNER]);
  });

  it('plans the same single write as the public control when both enforce', () => {
    const enforcing = contextWith({ controls: { 's3-foreign-access': { mode: 'enforce' } } });
    const state = bucket({
      policy: policy(TEAM, PARTNER, PUBLIC),
      publicAccessBlock: ALL_BLOCKED,
      baselinePolicy: null,
    });
    const foreign = planOf(s3ForeignAccess, state, enforcing);
    const open = planOf(s3PublicPolicy, state, enforcing);

    expect(foreign).toEqual(open);
    expect(foreign).toEqual({ actions: [expect.objectContaining({ policy: policy(TEAM) })] });
  });
});

const OWNER = 'owner-canonical-id';
const grant = (
  grantee: BucketAcl['grants'][number]['grantee'],
  permission: 'READ' | 'WRITE' | 'FULL_CONTROL' | 'READ_ACP',
) => ({
  grantee,
  permission,
  source: 'Grants',
});
const ownerFull = grant({ type: 'CanonicalUser', id: OWNER }, 'FULL_CONTROL');
const allUsersRead = grant({ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, 'READ');
const authenticatedWrite = grant(
  { type: 'Group', uri: 'https://acs.amazonaws.com/groups/global/AuthenticatedUsers/' },
  'WRITE',
);
const logWrite = grant({ type: 'Group', uri: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, 'WRITE');
const aclOf = (...grants: BucketAcl['grants']): BucketAcl => ({ owner: { id: OWNER }, grants });

describe('s3-public-acl', () => {
  it('is compliant for a private ACL and for log-delivery grants', () => {
    expect(s3PublicAcl.check(bucket({ acl: aclOf(ownerFull) }), context)).toBeUndefined();
    expect(s3PublicAcl.check(bucket({ acl: aclOf(ownerFull, logWrite) }), context)).toBeUndefined();
  });

  it('finds AllUsers and AuthenticatedUsers grants in any URI spelling', () => {
    const finding = s3PublicAcl.check(
      bucket({ acl: aclOf(ownerFull, allUsersRead, authenticatedWrite), ownershipControls: null }),
      context,
    );

    expect(finding?.summary).toContain('AllUsers READ');
    expect(finding?.observed).toHaveLength(2);
  });

  it('plans a private ACL then BucketOwnerEnforced', () => {
    const state = bucket({ acl: aclOf(ownerFull, allUsersRead), ownershipControls: 'ObjectWriter' });

    expect(planOf(s3PublicAcl, state, context)).toEqual({
      actions: [
        expect.objectContaining({ type: 'PutBucketAcl', acl: aclOf(ownerFull) }),
        {
          type: 'PutBucketOwnershipControls',
          bucket: 'example-bucket',
          objectOwnership: 'BucketOwnerEnforced',
        },
      ],
    });
  });
});

describe('s3-account-public-access-block', () => {
  const account = (publicAccessBlock = ALL_BLOCKED) => ({ accountId: ACCOUNT_ID, publicAccessBlock });

  it('is compliant when all four account flags are on', () => {
    expect(s3AccountPublicAccessBlock.check(account(), context)).toBeUndefined();
  });

  it('names the flags that are off and plans all four on', () => {
    const state = account({ ...ALL_BLOCKED, BlockPublicPolicy: false });
    const finding = s3AccountPublicAccessBlock.check(state, context);

    expect(finding?.summary).toBe(
      `Account ${ACCOUNT_ID} has account-level Block Public Access off for BlockPublicPolicy.`,
    );
    expect(finding && s3AccountPublicAccessBlock.fix(finding, state, context)).toEqual({
      actions: [{ type: 'PutAccountPublicAccessBlock', accountId: ACCOUNT_ID, configuration: ALL_BLOCKED }],
    });
  });
});
