import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { callAws } from '#shared/errors/errors.ts';

/** A record Slack refused for good, as it arrived: the SQS body, or the SNS message. */
export interface RefusedRecord {
  readonly id: string;
  readonly body: string;
}

export interface DeadLetterResult {
  readonly sent: number;
  /** Records that could not be sent, with why: they go back to the queue instead of being lost. */
  readonly failed: readonly { readonly id: string; readonly error: string }[];
}

/** Where notify-slack puts the alerts Slack refused for good, so none is lost silently. */
export interface DeadLetterSink {
  send(records: readonly RefusedRecord[], reason: string): Promise<DeadLetterResult>;
}

/** SendMessage calls in flight at once: enough for a refused digest of 200 records. */
const CONCURRENCY = 10;
/** Reasons are one short line; the bound keeps an odd error text from bloating the attribute. */
const MAX_REASON = 256;

/**
 * The Slack delivery queue's dead-letter queue. Each refused record goes there with its original
 * body (a redrive to the delivery queue delivers it again once the webhook is fixed) and the reason
 * as the `wardenFailure` attribute.
 */
export function sqsDeadLetterSink(sqs: Pick<SQSClient, 'send'>, queueUrl: string): DeadLetterSink {
  return {
    async send(records, reason) {
      const failed: { id: string; error: string }[] = [];
      let sent = 0;
      for (let start = 0; start < records.length; start += CONCURRENCY) {
        const chunk = records.slice(start, start + CONCURRENCY);
        const results = await Promise.allSettled(
          chunk.map((record) =>
            callAws(`dead-lettering SQS/SNS message ${record.id}`, () =>
              sqs.send(
                new SendMessageCommand({
                  QueueUrl: queueUrl,
                  MessageBody: record.body,
                  MessageAttributes: {
                    wardenFailure: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON) },
                  },
                }),
              ),
            ),
          ),
        );
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') sent += 1;
          else
            failed.push({
              id: chunk[index]?.id ?? '',
              error: result.reason instanceof Error ? result.reason.message : String(result.reason),
            });
        });
      }
      return { sent, failed };
    },
  };
}
