import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { loadGuardConfig } from '#shared/config/load-config.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { WARDEN_KEY_ARN, WARDEN_ROLE_ARN } from '../../fixtures.ts';

const validEnv = (): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  [ENV.kmsKeyArn]: WARDEN_KEY_ARN,
  [ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:123456789012:warden-alerts',
  [ENV.idempotencyTable]: 'warden-idempotency',
  [ENV.auditTable]: 'warden-audit',
  [ENV.ownRoleArns]: `${WARDEN_ROLE_ARN}, arn:aws:iam::123456789012:role/warden-root-guard-role`,
  [ENV.policy]: JSON.stringify({ version: 1 }),
});

describe('loadGuardConfig', () => {
  it('reads a complete environment', () => {
    const config = loadGuardConfig(validEnv());

    expect(config.ownRoleArns).toEqual([
      WARDEN_ROLE_ARN,
      'arn:aws:iam::123456789012:role/warden-root-guard-role',
    ]);
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

  it('rejects an own-role list that is not IAM ARNs', () => {
    expect(() => loadGuardConfig({ ...validEnv(), [ENV.ownRoleArns]: 'warden-role' })).toThrow(
      'WARDEN_OWN_ROLE_ARNS',
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
