import { describe, expect, it } from 'vitest';
import { findForeignStatements } from '#shared/model/policy/foreign-access.ts';
import { normalisePolicy, type PolicyStatement } from '#shared/model/policy/policy-document.ts';
import { analyzePolicy } from '#shared/model/policy/public-policy.ts';
import { planPolicyRollback } from '#shared/model/policy/rollback.ts';
import { DENY_INSECURE_TRANSPORT } from '../../fixtures.ts';

const legitimate = {
  Sid: 'Partner',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444455556666:root' },
  Action: ['s3:GetObject'],
  Resource: 'arn:aws:s3:::example-bucket/*',
  Condition: { Bool: { 'aws:SecureTransport': 'true' } },
};
const keep = {
  Sid: 'Keep',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/app' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
};
/** The role the owner revoked because it was compromised. */
const revoked = {
  Sid: 'Revoked',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/compromised' },
  Action: 's3:*',
  Resource: ['arn:aws:s3:::example-bucket', 'arn:aws:s3:::example-bucket/*'],
};
const denyInsecure = DENY_INSECURE_TRANSPORT;
const publicRead = { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };
const policyOf = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const current = normalisePolicy({ Version: '2012-10-17', Statement: [legitimate, publicRead] });

/** Every Allow of `written` must already be in `current` (by content): a rollback never grants. */
function allowsOf(policy: string): string[] {
  return normalisePolicy(policy)
    .statements.filter((statement: PolicyStatement) => statement.effect === 'Allow')
    .map((statement) => JSON.stringify(statement.raw));
}

describe('planPolicyRollback', () => {
  it('strips only the offending statement when there is no last-known-good policy', () => {
    const plan = planPolicyRollback({ current, offendingStatementIndexes: [1] });

    expect(plan.kind).toBe('rewrite');
    if (plan.kind !== 'rewrite') return;
    expect(JSON.parse(plan.policy)).toEqual({ Version: '2012-10-17', Statement: [legitimate] });
    expect(plan.removed.map((statement) => statement.sid)).toEqual(['Public']);
    expect(plan.why).toBe('removed 1 offending statement (Public)');
  });

  it('deletes the policy when every statement is offending', () => {
    const onlyPublic = normalisePolicy({ Statement: publicRead });

    const plan = planPolicyRollback({ current: onlyPublic, offendingStatementIndexes: [0] });

    expect(plan.kind).toBe('delete');
    expect(plan.why).toContain('the policy held only 1 offending statement (Public)');
  });

  it('never brings back an Allow the owner removed: {Keep, Revoked} -> {Keep, Public} leaves {Keep}', () => {
    const changed = normalisePolicy({ Version: '2012-10-17', Statement: [keep, publicRead] });

    const plan = planPolicyRollback({
      current: changed,
      lastKnownGood: policyOf(keep, revoked),
      offendingStatementIndexes: [1],
    });

    expect(plan.kind).toBe('rewrite');
    if (plan.kind !== 'rewrite') return;
    expect(JSON.parse(plan.policy).Statement).toEqual([keep]);
    expect(plan.why).toContain('did not bring back 1 earlier Allow statement (Revoked)');
  });

  it('brings back a Deny the same change dropped, which only narrows access', () => {
    const changed = normalisePolicy({ Version: '2012-10-17', Statement: [keep, publicRead] });

    const plan = planPolicyRollback({
      current: changed,
      lastKnownGood: policyOf(keep, denyInsecure),
      offendingStatementIndexes: [1],
    });

    expect(plan.kind).toBe('rewrite');
    if (plan.kind !== 'rewrite') return;
    expect(JSON.parse(plan.policy).Statement).toEqual([keep, denyInsecure]);
    expect(plan.reinstated.map((statement) => statement.sid)).toEqual(['DenyInsecureTransport']);
    expect(plan.why).toContain('brought back 1 Deny statement (DenyInsecureTransport)');
  });

  it('writes a Deny back even when nothing else is left, rather than deleting the policy', () => {
    const onlyPublic = normalisePolicy({ Statement: [publicRead] });

    const plan = planPolicyRollback({
      current: onlyPublic,
      lastKnownGood: policyOf(denyInsecure),
      offendingStatementIndexes: [0],
    });

    expect(plan.kind).toBe('rewrite');
    if (plan.kind !== 'rewrite') return;
    expect(JSON.parse(plan.policy).Statement).toEqual([denyInsecure]);
  });

  it('does not repeat a Deny the current policy still holds, whatever its encoding or Sid', () => {
    const reencoded = { ...denyInsecure, Sid: 'TlsOnly', Action: ['S3:*'] };
    const changed = normalisePolicy({ Statement: [reencoded, publicRead] });

    const plan = planPolicyRollback({
      current: changed,
      lastKnownGood: policyOf(denyInsecure),
      offendingStatementIndexes: [1],
    });

    expect(plan.kind === 'rewrite' && JSON.parse(plan.policy).Statement).toEqual([reencoded]);
  });

  it('renames a reinstated Deny whose Sid a kept statement now uses (S3 refuses repeated Sids)', () => {
    const reusedSid = { ...keep, Sid: 'DenyInsecureTransport' };
    const changed = normalisePolicy({ Statement: [reusedSid, publicRead] });

    const plan = planPolicyRollback({
      current: changed,
      lastKnownGood: policyOf(denyInsecure),
      offendingStatementIndexes: [1],
    });

    const sids =
      plan.kind === 'rewrite' ? JSON.parse(plan.policy).Statement.map((s: { Sid: string }) => s.Sid) : [];
    expect(sids).toEqual(['DenyInsecureTransport', 'DenyInsecureTransportRestoredByWarden']);
  });

  it('strips and says so when the last-known-good copy is unreadable', () => {
    const plan = planPolicyRollback({ current, lastKnownGood: '{not json', offendingStatementIndexes: [1] });

    expect(plan.kind).toBe('rewrite');
    expect(plan.why).toContain('unreadable');
  });

  it('names statements without a Sid by their position', () => {
    const plan = planPolicyRollback({
      current: normalisePolicy({ Statement: [legitimate, { ...publicRead, Sid: undefined }] }),
      offendingStatementIndexes: [1],
    });

    expect(plan.why).toContain('(#1)');
  });

  it.each([
    {
      name: 'baseline A, new policy turns A public',
      baseline: [legitimate],
      statements: [{ ...legitimate, Principal: '*', Condition: undefined }],
    },
    {
      name: 'baseline {Keep, Revoked}, new {Keep, Public}',
      baseline: [keep, revoked],
      statements: [keep, publicRead],
    },
    {
      name: 'baseline with a foreign grant and a Deny',
      baseline: [legitimate, denyInsecure],
      statements: [keep, publicRead],
    },
    { name: 'no-policy baseline', baseline: null, statements: [keep, publicRead] },
  ])(
    '$name: writes no Allow the current policy lacks, nothing public, nothing foreign',
    ({ baseline, statements }) => {
      // Prepare
      const document = normalisePolicy({ Version: '2012-10-17', Statement: statements });
      const before = new Set(allowsOf(JSON.stringify({ Statement: statements })));

      // Act
      const plan = planPolicyRollback({
        current: document,
        lastKnownGood: baseline === null ? null : policyOf(...baseline),
        offendingStatementIndexes: [statements.length - 1],
      });

      // Assess
      if (plan.kind === 'delete') return;
      for (const allow of allowsOf(plan.policy)) expect(before.has(allow)).toBe(true);
      const written = normalisePolicy(plan.policy);
      expect(analyzePolicy(written).public).toBe(false);
      const boundary = {
        ownerAccountId: '123456789012',
        allowedAccountIds: [],
        allowedOrgIds: [],
        trustedVpcEndpointIds: [],
        trustedVpcIds: [],
        trustedSourceIpCidrs: [],
      };
      const foreignBefore = findForeignStatements(document, boundary).length;
      expect(findForeignStatements(written, boundary).length).toBeLessThanOrEqual(foreignBefore);
    },
  );
});
