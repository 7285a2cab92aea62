import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { WARDEN_KEY_ARN, WARDEN_ROLE_ARN, WARDEN_SESSION_ARN } from '../../fixtures.ts';

const ROOT_GUARD_SESSION = 'arn:aws:sts::123456789012:assumed-role/warden-root-guard-role/warden-root-guard';

const validEnv = (): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  [ENV.kmsKeyArn]: WARDEN_KEY_ARN,
  [ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:123456789012:warden-alerts',
  [ENV.idempotencyTable]: 'warden-idempotency',
  [ENV.auditTable]: 'warden-audit',
  [ENV.ownSessionArns]: `${WARDEN_SESSION_ARN}, ${ROOT_GUARD_SESSION}`,
  [ENV.policy]: JSON.stringify({ version: 1 }),
});

describe('loadGuardConfig', () => {
  it('reads a complete environment', () => {
    const config = loadGuardConfig(validEnv());

    expect(config.ownSessionArns).toEqual([WARDEN_SESSION_ARN, ROOT_GUARD_SESSION]);
    expect(config.policy.deployment.mode).toBe('account');
  });

  it('names every missing variable', () => {
    const env = validEnv();
    delete env[ENV.kmsKeyArn];
    delete env[ENV.auditTable];

    expect(() => loadGuardConfig(env)).toThrow(ConfigError);
    expect(() => loadGuardConfig(env)).toThrow(
      /WARDEN_KMS_KEY_ARN[\s\S]*WARDEN_AUDIT_TABLE|WARDEN_AUDIT_TABLE[\s\S]*WARDEN_KMS_KEY_ARN/,
    );
  });

  it('rejects an own-session list that is not session ARNs', () => {
    expect(() => loadGuardConfig({ ...validEnv(), [ENV.ownSessionArns]: 'warden-role' })).toThrow(
      'WARDEN_OWN_SESSION_ARNS',
    );
  });

  it('rejects a role ARN as an own session: the role alone is not Warden', () => {
    expect(() => loadGuardConfig({ ...validEnv(), [ENV.ownSessionArns]: WARDEN_ROLE_ARN })).toThrow(
      /assumed-role session ARN[\s\S]*WARDEN_OWN_SESSION_ARNS/,
    );
  });

  it('rejects a policy that is not JSON', () => {
    expect(() => loadGuardConfig({ ...validEnv(), [ENV.policy]: '{version' })).toThrow(
      'WARDEN_POLICY is not valid JSON',
    );
  });

  it('validates the embedded policy', () => {
    expect(() => loadGuardConfig({ ...validEnv(), [ENV.policy]: '{"version":2}' })).toThrow('version');
  });
});
