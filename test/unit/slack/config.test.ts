import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { loadNotifySlackConfig } from '#shared/slack/config.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:warden/slack-webhook-url-AbCdEf';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/warden-hub-SlackUndeliveredAlertsQueue-AbC';
const TABLE = 'warden-idempotency';

describe('loadNotifySlackConfig', () => {
  it('reads the region, the webhook secret ARN, the dead-letter queue URL and the idempotency table', () => {
    const config = loadNotifySlackConfig({
      AWS_REGION: 'us-east-1',
      WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
      WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: DLQ_URL,
      WARDEN_IDEMPOTENCY_TABLE: TABLE,
    });

    expect(config).toEqual({
      region: 'us-east-1',
      webhookSecretArn: SECRET_ARN,
      deadLetterQueueUrl: DLQ_URL,
      idempotencyTable: TABLE,
    });
  });

  it('fails fast, naming the variable, when the idempotency table (the message budget) is missing', () => {
    expect(() =>
      loadNotifySlackConfig({
        AWS_REGION: 'us-east-1',
        WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
        WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: DLQ_URL,
      }),
    ).toThrow(expect.objectContaining({ message: expect.stringContaining('WARDEN_IDEMPOTENCY_TABLE') }));
  });

  it('refuses a table ARN put where the table name belongs', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
      WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: DLQ_URL,
      WARDEN_IDEMPOTENCY_TABLE: 'arn:aws:dynamodb:us-east-1:123456789012:table/warden-idempotency',
    };

    expect(() => loadNotifySlackConfig(env)).toThrow(ConfigError);
  });

  it('fails fast, naming the variable, when the dead-letter queue URL is missing', () => {
    expect(() =>
      loadNotifySlackConfig({ AWS_REGION: 'us-east-1', WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN }),
    ).toThrow(
      expect.objectContaining({ message: expect.stringContaining('WARDEN_SLACK_DEAD_LETTER_QUEUE_URL') }),
    );
  });

  it('refuses a dead-letter queue ARN put where its URL belongs', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      WARDEN_SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
      WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: 'arn:aws:sqs:us-east-1:123456789012:warden-undelivered',
      WARDEN_IDEMPOTENCY_TABLE: TABLE,
    };

    expect(() => loadNotifySlackConfig(env)).toThrow(ConfigError);
  });

  it('fails fast, naming the variable, when the secret ARN is missing', () => {
    expect(() =>
      loadNotifySlackConfig({ AWS_REGION: 'us-east-1', WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: DLQ_URL }),
    ).toThrow(
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
      WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: DLQ_URL,
      WARDEN_IDEMPOTENCY_TABLE: TABLE,
    };

    expect(() => loadNotifySlackConfig(env)).toThrow(ConfigError);
  });
});
