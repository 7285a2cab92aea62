import { describe, expect, it } from 'vitest';
import { normalisePolicy } from '#shared/s3/policy/policy-document.ts';
import { planPolicyRollback } from '#shared/s3/policy/rollback.ts';

const legitimate = {
  Sid: 'Partner',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444455556666:root' },
  Action: ['s3:GetObject'],
  Resource: 'arn:aws:s3:::example-bucket/*',
  Condition: { Bool: { 'aws:SecureTransport': 'true' } },
};
const publicRead = { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };
const baseline = JSON.stringify({ Version: '2012-10-17', Statement: [legitimate] });

const current = normalisePolicy({ Version: '2012-10-17', Statement: [legitimate, publicRead] });

describe('planPolicyRollback', () => {
  it('restores the last-known-good policy exactly as it was read', () => {
    const plan = planPolicyRollback({ current, lastKnownGood: baseline, offendingStatementIndexes: [1] });

    expect(plan).toEqual({ kind: 'restore', policy: baseline, why: 'restored the last-known-good policy' });
  });

  it('strips only the offending statement when there is no last-known-good policy', () => {
    const plan = planPolicyRollback({ current, offendingStatementIndexes: [1] });

    expect(plan.kind).toBe('strip');
    if (plan.kind !== 'strip') return;
    expect(JSON.parse(plan.policy)).toEqual({ Version: '2012-10-17', Statement: [legitimate] });
    expect(plan.removed.map((statement) => statement.sid)).toEqual(['Public']);
    expect(plan.why).toBe('no last-known-good policy; removed 1 offending statement (Public)');
  });

  it('deletes the policy when every statement is offending', () => {
    const onlyPublic = normalisePolicy({ Statement: publicRead });

    const plan = planPolicyRollback({ current: onlyPublic, offendingStatementIndexes: [0] });

    expect(plan.kind).toBe('delete');
    expect(plan.why).toContain('deleted the policy');
  });

  it('does not restore a last-known-good policy that is itself public', () => {
    const publicBaseline = JSON.stringify({ Statement: [publicRead] });

    const plan = planPolicyRollback({
      current,
      lastKnownGood: publicBaseline,
      offendingStatementIndexes: [1],
    });

    expect(plan.kind).toBe('strip');
    expect(plan.why).toContain('the last-known-good policy is itself public');
  });

  it('does not restore a last-known-good policy holding a statement now judged offending', () => {
    const plan = planPolicyRollback({ current, lastKnownGood: baseline, offendingStatementIndexes: [0] });

    expect(plan.kind).toBe('strip');
    expect(plan.why).toContain('contains an offending statement');
  });

  it('strips when the last-known-good copy is unreadable', () => {
    const plan = planPolicyRollback({ current, lastKnownGood: '{not json', offendingStatementIndexes: [1] });

    expect(plan.kind).toBe('strip');
    expect(plan.why).toContain('unreadable');
  });

  it('names statements without a Sid by their position', () => {
    const plan = planPolicyRollback({
      current: normalisePolicy({ Statement: [legitimate, { ...publicRead, Sid: undefined }] }),
      offendingStatementIndexes: [1],
    });

    expect(plan.why).toContain('(#1)');
  });
});

describe('planPolicyRollback: restore only when the baseline already holds every legitimate statement', () => {
  const logs = {
    Sid: 'Logs',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::example-bucket/logs/*',
  };
  const partnerMadePublic = { ...legitimate, Principal: '*', Condition: undefined };
  /** `legitimate` as another client may write it: keys reordered, one-element lists, other letter case. */
  const legitimateReencoded = {
    Condition: { Bool: { 'aws:securetransport': ['true'] } },
    Resource: ['arn:aws:s3:::example-bucket/*'],
    Action: 's3:getobject',
    Principal: { AWS: ['arn:aws:iam::444455556666:root'] },
    Effect: ['Allow'],
    Sid: 'Partner',
  };
  const sameSidOtherResource = { ...legitimate, Resource: 'arn:aws:s3:::example-bucket/private/*' };
  const policyOf = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

  it.each([
    {
      name: 'no-policy baseline, public statement next to a legitimate one: only the public one goes',
      lastKnownGood: null,
      statements: [legitimate, publicRead],
      expected: {
        kind: 'strip',
        policy: policyOf(legitimate),
        why: 'the last-known-good state (no bucket policy) lacks 1 legitimate statement (Partner) of the new policy; removed 1 offending statement (Public)',
      },
    },
    {
      name: 'no-policy baseline, nothing but the public statement: "no policy" is restored',
      lastKnownGood: null,
      statements: [publicRead],
      expected: { kind: 'restore-no-policy', why: 'restored the last-known-good state, no bucket policy' },
    },
    {
      name: 'baseline A, new policy A + public P: the baseline is restored (the same as removing P)',
      lastKnownGood: policyOf(legitimate),
      statements: [legitimate, publicRead],
      expected: { kind: 'restore', policy: policyOf(legitimate), why: 'restored the last-known-good policy' },
    },
    {
      name: 'baseline A, new policy A + new legitimate B + public P: P is removed, B kept',
      lastKnownGood: policyOf(legitimate),
      statements: [legitimate, logs, publicRead],
      expected: {
        kind: 'strip',
        policy: policyOf(legitimate, logs),
        why: 'the last-known-good policy lacks 1 legitimate statement (Logs) of the new policy; removed 1 offending statement (Public)',
      },
    },
    {
      name: 'baseline A, new policy turns A public: the baseline is restored, bringing A back',
      lastKnownGood: policyOf(legitimate),
      statements: [partnerMadePublic],
      expected: {
        kind: 'restore',
        policy: policyOf(legitimate),
        why: 'restored the last-known-good policy, which brings back 1 earlier statement (Partner)',
      },
    },
    {
      name: 'a baseline statement in another encoding counts as the same statement',
      lastKnownGood: policyOf(legitimateReencoded),
      statements: [legitimate, publicRead],
      expected: {
        kind: 'restore',
        policy: policyOf(legitimateReencoded),
        why: 'restored the last-known-good policy',
      },
    },
    {
      name: 'a matching Sid alone does not make a changed statement the same',
      lastKnownGood: policyOf(legitimate),
      statements: [sameSidOtherResource, publicRead],
      expected: {
        kind: 'strip',
        policy: policyOf(sameSidOtherResource),
        why: 'the last-known-good policy lacks 1 legitimate statement (Partner) of the new policy; removed 1 offending statement (Public)',
      },
    },
  ])('$name', ({ lastKnownGood, statements, expected }) => {
    // Prepare
    const document = normalisePolicy({ Version: '2012-10-17', Statement: statements });
    const offendingStatementIndexes = [statements.length - 1];

    // Act
    const plan = planPolicyRollback({ current: document, lastKnownGood, offendingStatementIndexes });

    // Assess
    expect(plan).toMatchObject(expected);
    if (plan.kind !== 'restore')
      expect(plan.removed.map((statement) => statement.raw)).toEqual([statements.at(-1)]);
  });
});
