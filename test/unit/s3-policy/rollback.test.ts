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
