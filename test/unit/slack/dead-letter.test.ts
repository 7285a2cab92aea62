import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { sqsDeadLetterSink } from '../../../functions/notify-slack/dead-letter.ts';

const sqsMock = mockClient(SQSClient);
const QUEUE_URL =
  'https://sqs.us-east-1.amazonaws.com/123456789012/warden-hub-SlackUndeliveredAlertsQueue-AbC';
const REASON = 'Slack refused the message: 404 no_service';

describe('sqsDeadLetterSink', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  });

  it('sends each record with its original body and the reason as an attribute', async () => {
    const sink = sqsDeadLetterSink(new SQSClient({ region: 'us-east-1' }), QUEUE_URL);

    const result = await sink.send([{ id: 'msg-0', body: '{"Type":"Notification","Message":"x"}' }], REASON);

    expect(result).toEqual({ sent: 1, failed: [] });
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: '{"Type":"Notification","Message":"x"}',
      MessageAttributes: { wardenFailure: { DataType: 'String', StringValue: REASON } },
    });
  });

  it('sends every record of a refused digest', async () => {
    const sink = sqsDeadLetterSink(new SQSClient({ region: 'us-east-1' }), QUEUE_URL);
    const records = Array.from({ length: 25 }, (_, i) => ({ id: `msg-${i}`, body: `body-${i}` }));

    const result = await sink.send(records, REASON);

    expect(result.sent).toBe(25);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 25);
  });

  it('reports the records it could not send, so they are retried rather than lost', async () => {
    sqsMock
      .on(SendMessageCommand, { MessageBody: 'body-1' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const sink = sqsDeadLetterSink(new SQSClient({ region: 'us-east-1' }), QUEUE_URL);

    const result = await sink.send(
      [
        { id: 'msg-0', body: 'body-0' },
        { id: 'msg-1', body: 'body-1' },
      ],
      REASON,
    );

    expect(result).toEqual({
      sent: 1,
      failed: [{ id: 'msg-1', error: expect.stringContaining('ThrottlingException') }],
    });
  });
});
