import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { callAws } from '#shared/errors/errors.ts';
import { type SweepWorkItem, workItemKey } from './work-items.ts';

export interface SweepQueue {
  send(items: readonly SweepWorkItem[]): Promise<void>;
}

/** SQS takes at most 10 messages per batch call. */
const BATCH = 10;

/**
 * The sweep's FIFO queue: one message group per account, so the worker takes one item of an account at a
 * time (the per-account cap on S3's control plane); the de-duplication id is the item's own key, so an
 * item re-sent after a retry within SQS's five-minute window is dropped by SQS.
 */
export function sqsSweepQueue(sqs: Pick<SQSClient, 'send'>, queueUrl: string): SweepQueue {
  return {
    async send(items) {
      for (let start = 0; start < items.length; start += BATCH) {
        const batch = items.slice(start, start + BATCH);
        const output = await callAws('sending sweep work items', () =>
          sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((item, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(item),
                MessageGroupId: item.accountId,
                MessageDeduplicationId: createHash('sha256')
                  .update(`${item.sweepId}#${workItemKey(item)}`)
                  .digest('hex'),
              })),
            }),
          ),
        );
        const failed = output.Failed ?? [];
        if (failed.length > 0)
          throw new Error(
            `SQS refused ${failed.length} sweep work item(s): ${failed.map((entry) => `${entry.Code}: ${entry.Message}`).join('; ')}`,
          );
      }
    },
  };
}
