import { describe, expect, it } from 'vitest';
import { kmsKeyDeletion } from '#shared/controls/kms-key-deletion.ts';
import { kmsKeyPolicy } from '#shared/controls/kms-key-policy.ts';
import { kmsProtectedKey } from '#shared/controls/kms-protected-key.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import type { KeyState, ProtectionReason } from '#shared/model/kms-key.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';
import { KEY_ADMIN_STATEMENT as OWN_ROOT, keyPolicyOf as policyOf } from '../../support/tamper-fakes.ts';

const context: EvaluationContext = {
  policy: makePolicy({ s3: { allowedAccountIds: ['444455556666'] } }),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
};

const key = (
  overrides: Partial<KeyState> = {},
  reasons: ProtectionReason[] = [{ kind: 'warden-alias', alias: 'alias/warden' }],
): KeyState => ({
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  arn: WARDEN_KEY_ARN,
  aliases: ['alias/warden'],
  keyState: 'Enabled',
  keyManager: 'CUSTOMER',
  policy: policyOf(OWN_ROOT),
  protection: { reasons, dependentBuckets: ['team-data'] },
  ...overrides,
});

describe('kms-protected-key', () => {
  it('is compliant while a protected key is enabled', () => {
    expect(kmsProtectedKey.check(key(), context)).toBeUndefined();
  });

  it('leaves an unprotected key to kms-key-deletion', () => {
    expect(kmsProtectedKey.check(key({ keyState: 'PendingDeletion' }, []), context)).toBeUndefined();
  });

  it('finds a protected key scheduled for deletion, naming alias, date and dependent buckets', () => {
    const state = key({ keyState: 'PendingDeletion', deletionDate: '2026-11-28T02:14:37.000Z' }, [
      { kind: 'warden-alias', alias: 'alias/warden' },
      { kind: 'bucket-default', buckets: ['team-data'] },
    ]);

    const finding = kmsProtectedKey.check(state, context);

    expect(finding?.summary).toContain('alias/warden');
    expect(finding?.summary).toContain('2026-11-28');
    expect(finding?.summary).toContain('team-data');
  });

  it('fixes a scheduled deletion by cancelling it, then enabling the key (a cancelled key stays disabled)', () => {
    const state = key({ keyState: 'PendingDeletion' });
    const finding = kmsProtectedKey.check(state, context);
    if (!finding) throw new Error('expected a finding');

    expect(kmsProtectedKey.fix(finding, state, context)).toEqual({
      actions: [
        { type: 'CancelKeyDeletion', keyId: state.keyId },
        { type: 'EnableKey', keyId: state.keyId },
      ],
    });
  });

  it('fixes a disabled key by enabling it only', () => {
    const state = key({ keyState: 'Disabled' }, [{ kind: 'unchecked-buckets', why: 'too many buckets' }]);
    const finding = kmsProtectedKey.check(state, context);
    if (!finding) throw new Error('expected a finding');

    expect(finding.summary).toContain('too many buckets');
    expect(kmsProtectedKey.fix(finding, state, context)).toEqual({
      actions: [{ type: 'EnableKey', keyId: state.keyId }],
    });
  });

  it('ignores AWS managed keys, which nobody can delete', () => {
    expect(kmsProtectedKey.check(key({ keyManager: 'AWS', keyState: 'Disabled' }), context)).toBeUndefined();
  });
});

describe('kms-key-deletion (detect only)', () => {
  it('reports an unprotected customer-managed key scheduled for deletion', () => {
    const state = key({ keyState: 'PendingDeletion', aliases: [] }, []);

    const finding = kmsKeyDeletion.check(state, context);

    expect(finding?.summary).toContain('cancel-key-deletion');
    expect(kmsKeyDeletion.fix(finding as never, state, context)).toHaveProperty('blocked');
  });

  it('is silent for protected keys and keys not pending deletion', () => {
    expect(kmsKeyDeletion.check(key({ keyState: 'PendingDeletion' }), context)).toBeUndefined();
    expect(kmsKeyDeletion.check(key({}, []), context)).toBeUndefined();
  });
});

describe('kms-key-policy', () => {
  const PUBLIC = {
    Sid: 'Anyone',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'kms:Decrypt',
    Resource: '*',
  };

  it.each([
    ['the account root only', policyOf(OWN_ROOT)],
    [
      'an allowed partner account',
      policyOf(OWN_ROOT, { ...PUBLIC, Principal: { AWS: 'arn:aws:iam::444455556666:root' } }),
    ],
    [
      '"*" pinned to this account by kms:CallerAccount',
      policyOf(OWN_ROOT, { ...PUBLIC, Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT_ID } } }),
    ],
    ['a service principal', policyOf(OWN_ROOT, { ...PUBLIC, Principal: { Service: 'logs.amazonaws.com' } })],
  ])('is compliant with %s', (_label, policy) => {
    expect(kmsKeyPolicy.check(key({ policy }), context)).toBeUndefined();
  });

  it.each([
    ['"*" without a condition', policyOf(OWN_ROOT, PUBLIC), 'any principal'],
    [
      '"*" pinned to another account',
      policyOf(OWN_ROOT, { ...PUBLIC, Condition: { StringEquals: { 'kms:CallerAccount': '999988887777' } } }),
      'any principal',
    ],
    [
      '"*" with an IfExists condition',
      policyOf(OWN_ROOT, {
        ...PUBLIC,
        Condition: { StringEqualsIfExists: { 'aws:PrincipalAccount': ACCOUNT_ID } },
      }),
      'any principal',
    ],
    [
      'a foreign account',
      policyOf(OWN_ROOT, { ...PUBLIC, Principal: { AWS: '999988887777' } }),
      '999988887777',
    ],
    [
      'NotPrincipal',
      policyOf(OWN_ROOT, {
        Effect: 'Allow',
        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
        Action: 'kms:*',
        Resource: '*',
      }),
      'NotPrincipal',
    ],
  ])('finds %s', (_label, policy, words) => {
    expect(kmsKeyPolicy.check(key({ policy }), context)?.summary).toContain(words);
  });

  it('does not judge keys Warden does not protect', () => {
    expect(kmsKeyPolicy.check(key({ policy: policyOf(OWN_ROOT, PUBLIC) }, []), context)).toBeUndefined();
  });

  it('rolls back to the last-known-good policy when there is one', () => {
    const good = policyOf(OWN_ROOT);
    const state = key({
      policy: policyOf(PUBLIC),
      baselinePolicy: { policy: good, observedAt: '2026-11-20T10:00:00.000Z', eventId: 'e-1' },
    });
    const finding = kmsKeyPolicy.check(state, context);

    const plan = kmsKeyPolicy.fix(finding as never, state, context);

    expect(plan).toMatchObject({ actions: [{ type: 'PutKeyPolicy', keyId: state.keyId, policy: good }] });
  });

  it('without a last-known-good policy, removes only the offending statements', () => {
    const state = key({ policy: policyOf(OWN_ROOT, PUBLIC), baselinePolicy: null });

    const plan = kmsKeyPolicy.fix(kmsKeyPolicy.check(state, context) as never, state, context);

    expect(plan).toMatchObject({ actions: [{ type: 'PutKeyPolicy' }] });
    const written = 'actions' in plan ? (plan.actions[0] as { policy: string }).policy : '';
    expect(JSON.parse(written).Statement).toEqual([OWN_ROOT]);
  });

  it('refuses a fix that would leave no statement (an unsafe fix)', () => {
    const state = key({ policy: policyOf(PUBLIC), baselinePolicy: null });

    const plan = kmsKeyPolicy.fix(kmsKeyPolicy.check(state, context) as never, state, context);

    expect(plan).toHaveProperty('blocked', expect.stringContaining('would leave none'));
  });

  it('never restores a last-known-good copy that itself grants outside the account', () => {
    const state = key({
      policy: policyOf(OWN_ROOT, PUBLIC),
      baselinePolicy: {
        policy: policyOf(OWN_ROOT, { ...PUBLIC, Sid: 'Old' }),
        observedAt: 't',
        eventId: 'e',
      },
    });

    const plan = kmsKeyPolicy.fix(kmsKeyPolicy.check(state, context) as never, state, context);

    const written = 'actions' in plan ? (plan.actions[0] as { policy: string }).policy : '';
    expect(JSON.parse(written).Statement).toEqual([OWN_ROOT]);
  });
});
