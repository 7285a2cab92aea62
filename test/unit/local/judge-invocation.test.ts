import { describe, expect, it } from 'vitest';
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import { judgeInvocation } from '../../../cli/local/invoke.ts';

const outcome = (status: ControlOutcome['status'], reason = 'why'): ControlOutcome => ({
  controlId: 's3-encryption-kms',
  title: 'encryption',
  severity: 'HIGH',
  compliance: [],
  resource: 'example-bucket',
  status,
  reason,
  actions: [],
});

const judge = (result: GuardResult) => judgeInvocation('s3-guard', {}, result);

describe('warden local invoke: exit status of a guard', () => {
  it('is fine when the event was processed and every control repaired or compliant', () => {
    expect(
      judge({ status: 'PROCESSED', outcomes: [outcome('REMEDIATED'), outcome('ALREADY_COMPLIANT')] }),
    ).toEqual({ ok: true, summary: 'PROCESSED' });
  });

  it('is fine when the event was deliberately ignored', () => {
    expect(judge({ status: 'IGNORED', reason: 'a failed call', outcomes: [] }).ok).toBe(true);
  });

  it('fails a processed event whose repair failed, naming the control and the reason', () => {
    const verdict = judge({ status: 'PROCESSED', outcomes: [outcome('FAILED', 'the key is Disabled')] });

    expect(verdict.ok).toBe(false);
    expect(verdict.summary).toContain('s3-encryption-kms: the key is Disabled');
  });

  it('fails a rejected event', () => {
    expect(judge({ status: 'REJECTED', reason: 'no bucket name', outcomes: [] })).toEqual({
      ok: false,
      summary: 'REJECTED: no bucket name',
    });
  });
});
