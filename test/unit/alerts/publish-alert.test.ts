import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { toChatNotification } from '#shared/alerts/chat-notification.ts';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import { alertWith, encryptionFixed, publicAccessDetected } from './helpers.ts';

const snsMock = mockClient(SNSClient);
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:warden-alerts';

const publisher = () => snsAlertPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN);

describe('snsAlertPublisher', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  });

  it('publishes severity, account and controls as message attributes for subscription filters', async () => {
    const alert = alertWith([encryptionFixed, publicAccessDetected]);

    await publisher().publish(alert);

    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'CRITICAL' },
        account: { DataType: 'String', StringValue: '123456789012' },
        control: {
          DataType: 'String.Array',
          StringValue: '["s3-encryption-kms","s3-bucket-public-access-block"]',
        },
      },
    });
  });

  it('lists each control once in the control attribute', async () => {
    const again = { ...encryptionFixed, reason: 'A second finding of the same control.' };

    await publisher().publish(alertWith([encryptionFixed, again]));

    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.MessageAttributes?.control).toEqual({
      DataType: 'String.Array',
      StringValue: '["s3-encryption-kms"]',
    });
  });

  it('sends the chat notification as the message and a one-line subject within 100 characters', async () => {
    const alert = { ...alertWith(), title: `Warden repaired\n${'b'.repeat(200)}` };

    await publisher().publish(alert);

    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Message).toBe(JSON.stringify(toChatNotification(alert)));
    expect(input?.Subject).toHaveLength(100);
    expect(input?.Subject).toMatch(/^\[Warden\] HIGH: Warden repaired b+$/);
  });

  it('returns the SNS message id', async () => {
    expect(await publisher().publish(alertWith())).toBe('sns-1');
  });

  it('classifies a throttled publish as retryable', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    await expect(publisher().publish(alertWith())).rejects.toBeInstanceOf(RetryableAwsError);
  });
});
