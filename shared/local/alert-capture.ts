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
}

interface SnsEnvelope {
  readonly Subject?: string;
  readonly Message: string;
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
