import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import { createRootGuardRuntime } from '../../../functions/root-guard/wiring.ts';
import { buildS3GuardDeps } from '../../../functions/s3-guard/wiring.ts';
import { buildTamperGuardDeps } from '../../../functions/tamper-guard/wiring.ts';
import { WARDEN_KEY_ARN, WARDEN_SESSION_ARN } from '../../fixtures.ts';

const env = (): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  [ENV.kmsKeyArn]: WARDEN_KEY_ARN,
  [ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:123456789012:warden-alerts',
  [ENV.idempotencyTable]: 'warden-idempotency',
  [ENV.auditTable]: 'warden-audit',
  [ENV.ownSessionArns]: WARDEN_SESSION_ARN,
  [ENV.policy]: JSON.stringify({ version: 1 }),
});

/** Without a fight store the pipeline repairs and alerts every time: every real guard must have one. */
describe('the guards’ wiring keeps fight state', () => {
  it.each([
    ['s3-guard', () => buildS3GuardDeps(loadGuardConfig(env()))],
    ['tamper-guard', () => buildTamperGuardDeps(loadGuardConfig(env()))],
    ['root-guard', () => createRootGuardRuntime(env()).deps],
  ])('%s', (_name, build) => {
    const deps = build();

    expect(deps.fights).toEqual({ read: expect.any(Function), update: expect.any(Function) });
  });
});
