import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { loadRootGuardConfig } from '../../../functions/root-guard/root-guard-config.ts';

const ENV = {
  AWS_REGION: 'us-east-1',
  WARDEN_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:warden-alerts',
  WARDEN_IDEMPOTENCY_TABLE: 'warden-idempotency',
  WARDEN_AUDIT_TABLE: 'warden-audit',
  WARDEN_POLICY: JSON.stringify({
    version: 1,
    deployment: { mode: 'organization', managementAccountId: '111122223333' },
  }),
};

describe('loadRootGuardConfig', () => {
  it('reads the environment and the policy, with no KMS key required', () => {
    const config = loadRootGuardConfig(ENV);

    expect(config).toMatchObject({
      region: 'us-east-1',
      alertTopicArn: ENV.WARDEN_ALERT_TOPIC_ARN,
      policy: { deployment: { mode: 'organization', managementAccountId: '111122223333' } },
    });
  });

  it('names every missing variable', () => {
    expect(() => loadRootGuardConfig({ AWS_REGION: 'us-east-1' })).toThrow(
      /WARDEN_ALERT_TOPIC_ARN[\s\S]*WARDEN_IDEMPOTENCY_TABLE[\s\S]*WARDEN_AUDIT_TABLE[\s\S]*WARDEN_POLICY/,
    );
  });

  it('refuses organization mode without the management account id', () => {
    const env = {
      ...ENV,
      WARDEN_POLICY: JSON.stringify({ version: 1, deployment: { mode: 'organization' } }),
    };

    expect(() => loadRootGuardConfig(env)).toThrow(ConfigError);
    expect(() => loadRootGuardConfig(env)).toThrow(/managementAccountId is required/);
  });
});
