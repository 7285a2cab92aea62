import * as z from 'zod/mini';
import { type WireAlert, WireAlertSchema } from '#shared/contracts/alert.ts';
import type { WireOutcome } from '#shared/contracts/outcomes.ts';
import { describeIssues } from '#shared/guard/reject.ts';
import { AlarmNotificationSchema, type SlackAlarm, toSlackAlarm } from './alarm.ts';

/**
 * What notify-slack accepts, validated at the edge: an SNS event (the topic invokes the function, or
 * `warden local invoke`), or an SQS event whose bodies are SNS notifications (the storm-proof path:
 * SNS → SQS → batched invocations), with raw message delivery on or off; and what it answers.
 * The function and the CLI (which sends these events and judges the answers) share this contract.
 */

/** An outcome as notify-slack renders it: any control id, so an unknown control still reaches people. */
export type SlackOutcome = WireOutcome;
/** Warden's alert as carried (JSON text) in `metadata.additionalContext.alert`; every `Alert` is one. */
export type SlackAlert = WireAlert;

const nonEmpty = z.string().check(z.minLength(1));

/**
 * `additionalContext` values are strings in the custom-notification schema, so the alert travels as
 * JSON text. An object is still read: alerts published before that change may wait in the queue or
 * be redriven from the dead-letter queue.
 */
const AlertContextSchema = z.pipe(
  z.transform((value: unknown, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: 'is not JSON', input: value });
      return z.NEVER;
    }
  }),
  WireAlertSchema,
);

const ChatNotificationSchema = z.object({
  version: z.string(),
  source: z.literal('custom'),
  metadata: z.object({ additionalContext: z.object({ alert: AlertContextSchema }) }),
});

const SnsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

const SnsEventSchema = z.pipe(
  z.object({
    Records: z
      .array(z.object({ Sns: z.object({ MessageId: z.string(), Message: z.string() }) }))
      .check(z.minLength(1)),
  }),
  z.transform((event) => ({
    source: 'sns' as const,
    records: event.Records.map((record) => ({ id: record.Sns.MessageId, text: record.Sns.Message })),
  })),
);

const SqsEventSchema = z.pipe(
  z.object({ Records: z.array(z.object({ messageId: nonEmpty, body: z.string() })).check(z.minLength(1)) }),
  z.transform((event) => ({
    source: 'sqs' as const,
    records: event.Records.map((record) => ({ id: record.messageId, text: record.body })),
  })),
);

export const NotifyEventSchema = z.union([SnsEventSchema, SqsEventSchema]);
export type NotifyEvent = z.output<typeof NotifyEventSchema>;

/**
 * What notify-slack answers (its handler and `warden local invoke` read it): an SQS partial batch
 * response (only failed records are retried), or a summary.
 */
export type NotifyResponse =
  | { readonly batchItemFailures: readonly { readonly itemIdentifier: string }[] }
  | {
      readonly delivered: number;
      readonly digested: number;
      readonly skipped: number;
      readonly permanentFailures: number;
    };

/**
 * One queued message: the Warden alert or CloudWatch alarm it carries, or why it is neither.
 * `id` is the SQS/SNS message id.
 */
export type InboundRecord =
  | { readonly id: string; readonly alert: SlackAlert }
  | { readonly id: string; readonly alarm: SlackAlarm }
  | { readonly id: string; readonly skipped: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads one SNS message into a Warden alert (a chat notification) or a CloudWatch alarm state
 * change, or says why it is neither.
 */
export function readMessage(id: string, message: string): InboundRecord {
  const json = parseJson(message);
  if (json === undefined) return { id, skipped: 'the message is not JSON' };
  const parsed = ChatNotificationSchema.safeParse(json);
  if (parsed.success) {
    const alert: SlackAlert = parsed.data.metadata.additionalContext.alert;
    return { id, alert };
  }
  const shape = (json ?? {}) as { source?: unknown; AlarmName?: unknown };
  if (shape.source === 'custom')
    return { id, skipped: `not a Warden alert: ${describeIssues(parsed.error.issues)}` };
  const alarm = AlarmNotificationSchema.safeParse(json);
  if (alarm.success) return { id, alarm: toSlackAlarm(alarm.data) };
  return {
    id,
    skipped:
      shape.AlarmName !== undefined
        ? `not a CloudWatch alarm notification: ${describeIssues(alarm.error.issues)}`
        : 'not a Warden alert (no custom-notification body) nor a CloudWatch alarm',
  };
}

/** An SQS body is the SNS envelope (raw delivery off) or the message itself (raw delivery on). */
export function readSqsBody(id: string, body: string): InboundRecord {
  const envelope = SnsEnvelopeSchema.safeParse(parseJson(body));
  return readMessage(id, envelope.success ? envelope.data.Message : body);
}

/** Every record of a parsed event, read into alerts or skip reasons. */
export function readRecords(event: NotifyEvent): InboundRecord[] {
  const read = event.source === 'sns' ? readMessage : readSqsBody;
  return event.records.map((record) => read(record.id, record.text));
}
