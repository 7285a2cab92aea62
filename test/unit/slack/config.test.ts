import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { loadNotifySlackConfig } from '#shared/slack/config.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:warden/slack-webhook-url-AbCdEf';

describe('loadNotifySlackConfig', () => {
  it('reads the region and the webhook secret ARN', () => {
    const config = loadNotifySlackConfig({
      AWS_REGION: 'us-east-1',
      WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
    });

    expect(config).toEqual({ region: 'us-east-1', webhookSecretArn: SECRET_ARN });
  });

  it('fails fast, naming the variable, when the secret ARN is missing', () => {
    expect(() => loadNotifySlackConfig({ AWS_REGION: 'us-east-1' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringContaining('WARDEN_SLACK_WEBHOOK_SECRET_ARN'),
      }),
    );
  });

  it('refuses a webhook URL put where the secret ARN belongs', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      WARDEN_SLACK_WEBHOOK_SECRET_ARN: 'https://hooks.slack.com/services/T/B/X',
    };

    expect(() => loadNotifySlackConfig(env)).toThrow(ConfigError);
  });
});
