import { describe, expect, it, vi } from 'vitest';
import type { Control, EvaluationContext } from '#shared/controls/types.ts';
import { evaluateResource } from '#shared/guard/evaluate.ts';
import { toOutcomes } from '#shared/guard/outcomes.ts';
import { evaluateWithPauses } from '#shared/guard/resource.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { rootGuardPlugin } from '../../../functions/root-guard/root-guard.ts';
import { loadApiCall, makePolicy } from '../../fixtures.ts';

const REASON =
  'enforcement paused until 2026-11-20T10:38:00.000Z (a fight since ...); Warden changed nothing';

type State = { readonly public: boolean };
const publicPolicy: Control<State, 'policy', string> = {
  id: 's3-public-policy',
  title: 'Bucket policy is not public',
  severity: 'HIGH',
  compliance: [],
  triggers: ['PutBucketPolicy'],
  reads: ['policy'],
  defaultMode: 'enforce',
  check: (state) =>
    state.public
      ? { controlId: 's3-public-policy', resource: 'b', summary: 'The policy is public.', observed: {} }
      : undefined,
  fix: () => ({ actions: ['remove the public statement'] }),
};

const contextWith = (
  policy: Partial<PolicyInput>,
  paused?: EvaluationContext['paused'],
): EvaluationContext => ({
  policy: makePolicy(policy),
  wardenKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  accountId: '123456789012',
  region: 'us-east-1',
  ...(paused ? { paused } : {}),
});

function outcomeOf(context: EvaluationContext) {
  const state = { public: true };
  const evaluations = evaluateResource(state, [publicPolicy], context);
  const [outcome] = toOutcomes({
    resource: 'b',
    context,
    evaluations,
    state,
    after: state,
    pending: {},
    fixed: [],
    failures: new Map(),
    view: () => ({}),
    describe: (action) => `Would ${action}`,
  });
  return { evaluation: evaluations[0], outcome };
}

describe('a control a fight paused on the resource', () => {
  it('runs in detect mode, its outcome saying why', () => {
    const { evaluation, outcome } = outcomeOf(contextWith({}, { 's3-public-policy': REASON }));

    expect(evaluation?.mode).toBe('detect');
    expect(outcome).toMatchObject({
      status: 'DETECTED',
      reason: `The policy is public. (${REASON})`,
      actions: ['Would remove the public statement'],
    });
  });

  it('stays in enforce mode when another control is paused', () => {
    expect(outcomeOf(contextWith({}, { 's3-encryption-kms': REASON })).evaluation?.mode).toBe('enforce');
  });

  it('keeps a control the policy sets to detect in plain detect mode', () => {
    const { outcome } = outcomeOf(
      contextWith({ controls: { 's3-public-policy': { mode: 'detect' } } }, { 's3-public-policy': REASON }),
    );

    expect(outcome?.reason).toBe('The policy is public. (detect mode: Warden changed nothing)');
  });
});

describe('asking which controls are paused', () => {
  it('does not ask for a compliant resource (no read a compliant bucket pays)', async () => {
    const pausedFor = vi.fn(async () => ({ 's3-public-policy': REASON }));

    const { evaluations } = await evaluateWithPauses(
      { public: false },
      [publicPolicy],
      contextWith({}),
      pausedFor,
    );

    expect(pausedFor).not.toHaveBeenCalled();
    expect(evaluations[0]?.finding).toBeUndefined();
  });

  it('does not ask when the control would only detect', async () => {
    const pausedFor = vi.fn(async () => ({}));
    const context = contextWith({ controls: { 's3-public-policy': { mode: 'detect' } } });

    await evaluateWithPauses({ public: true }, [publicPolicy], context, pausedFor);

    expect(pausedFor).not.toHaveBeenCalled();
  });

  it('asks before a repair and evaluates again with the paused controls in detect mode', async () => {
    const pausedFor = vi.fn(async () => ({ 's3-public-policy': REASON }));

    const { evaluations, context } = await evaluateWithPauses(
      { public: true },
      [publicPolicy],
      contextWith({}),
      pausedFor,
    );

    expect(pausedFor).toHaveBeenCalledOnce();
    expect(evaluations[0]).toMatchObject({ mode: 'detect', pausedBecause: REASON });
    expect(context.paused).toEqual({ 's3-public-policy': REASON });
  });

  it('keeps enforcing when nothing is paused', async () => {
    const { evaluations } = await evaluateWithPauses(
      { public: true },
      [publicPolicy],
      contextWith({}),
      async () => ({}),
    );

    expect(evaluations[0]?.mode).toBe('enforce');
  });
});

describe('root-guard with a paused control', () => {
  it('deletes nothing and says why', async () => {
    const assumeRootCredentials = vi.fn();
    const plugin = rootGuardPlugin({
      config: {
        policy: makePolicy({ deployment: { mode: 'organization', managementAccountId: '111122223333' } }),
      },
      assumeRootCredentials,
      rootIam: vi.fn(),
      alerts: { publish: vi.fn() },
      audit: { record: vi.fn() },
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { count: vi.fn() },
      clock: { now: () => new Date() },
      once: (_step, fn) => fn,
    });
    const call = loadApiCall('iam/root-create-access-key.json');
    const scope = await plugin.scope(call);
    if (!('subject' in scope)) throw new Error('expected a root activity');

    const { outcomes } = await plugin.remediate(call, scope.subject, async () => ({
      'root-access-key': REASON,
    }));

    expect(assumeRootCredentials).not.toHaveBeenCalled();
    expect(outcomes[0]).toMatchObject({ status: 'DETECTED', reason: expect.stringContaining(`(${REASON})`) });
  });
});
