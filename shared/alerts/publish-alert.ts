import type { SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '#shared/contracts/alert.ts';
import { callAws } from '#shared/errors/errors.ts';
import { toChatNotification } from './chat-notification.ts';

export interface AlertPublisher {
  /** Publishes one alert and returns the SNS message id. */
  publish(alert: Alert): Promise<string>;
}

const SNS_SUBJECT_LIMIT = 100;

/** SNS publisher; severity, account and controls travel as message attributes for subscription filters. */
export function snsAlertPublisher(sns: Pick<SNSClient, 'send'>, topicArn: string): AlertPublisher {
  return {
    async publish(alert) {
      const controls = [...new Set(alert.outcomes.map((outcome) => outcome.controlId))];
      const { PublishCommand } = await import('#shared/aws/on-demand/sns.ts');
      const output = await callAws(`publishing the alert for event ${alert.eventId}`, () =>
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: `[Warden] ${alert.severity}: ${alert.title}`
              .slice(0, SNS_SUBJECT_LIMIT)
              .replace(/[\r\n]/g, ' '),
            Message: JSON.stringify(toChatNotification(alert)),
            MessageAttributes: {
              severity: { DataType: 'String', StringValue: alert.severity },
              account: { DataType: 'String', StringValue: alert.accountId },
              control: { DataType: 'String.Array', StringValue: JSON.stringify(controls) },
            },
          }),
        ),
      );
      return output.MessageId ?? '';
    },
  };
}
