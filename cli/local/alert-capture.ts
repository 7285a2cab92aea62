import {
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ChatNotification } from '#shared/alerts/chat-notification.ts';

/** One alert as SNS delivered it to the capture queue. */
export interface CapturedAlert {
  readonly subject: string;
  readonly notification: ChatNotification;
  /** The SNS notification as delivered (message id, raw message, attributes): what notify-slack gets. */
  readonly envelope: SnsEnvelope;
}

export interface SnsEnvelope {
  readonly Type?: string;
  readonly MessageId?: string;
  readonly TopicArn?: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp?: string;
  readonly MessageAttributes?: Record<string, { readonly Type: string; readonly Value: string }>;
}

/** The event SNS gives a subscribed Lambda (notify-slack) for this alert, as in `events/sns/`. */
export function snsLambdaEvent(
  alert: CapturedAlert,
  subscriptionArn = `${alert.envelope.TopicArn ?? ''}:local`,
) {
  const envelope = alert.envelope;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: envelope.Type ?? 'Notification',
          MessageId: envelope.MessageId ?? 'local',
          TopicArn: envelope.TopicArn ?? '',
          Subject: envelope.Subject ?? null,
          Message: envelope.Message,
          Timestamp: envelope.Timestamp ?? new Date().toISOString(),
          MessageAttributes: envelope.MessageAttributes ?? {},
        },
      },
    ],
  };
}

/** Reads (and deletes) every alert waiting in the capture queue. */
export async function takeCapturedAlerts(sqs: SQSClient, queueUrl: string): Promise<CapturedAlert[]> {
  const alerts: CapturedAlert[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return alerts;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as SnsEnvelope;
      alerts.push({
        subject: envelope.Subject ?? '',
        notification: JSON.parse(envelope.Message) as ChatNotification,
        envelope,
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
}

export async function purgeCapturedAlerts(sqs: SQSClient, queueUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}
