import * as z from 'zod/mini';
import type { Alert } from '#shared/alerts/alert.ts';
import type { ControlOutcome } from '#shared/remediation/outcome.ts';
import { describeIssues } from '#shared/remediation/reject.ts';

/**
 * What notify-slack accepts, validated at the edge: an SNS event (the topic invokes the function, or
 * `warden local invoke`), or an SQS event whose bodies are SNS notifications (the storm-proof path:
 * SNS → SQS → batched invocations), with raw message delivery on or off.
 */

/** An outcome as notify-slack renders it: any control id, so an unknown control still reaches people. */
export interface SlackOutcome extends Omit<ControlOutcome, 'controlId'> {
  readonly controlId: string;
}
/** Warden's alert as carried in `metadata.additionalContext.alert`; every `Alert` is one. */
export interface SlackAlert extends Omit<Alert, 'outcomes'> {
  readonly outcomes: readonly SlackOutcome[];
}

const SeveritySchema = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']);
const nonEmpty = z.string().check(z.minLength(1));
const strings = z._default(z.array(z.string()), []);

const OutcomeSchema = z.object({
  controlId: nonEmpty,
  title: z.string(),
  severity: SeveritySchema,
  compliance: strings,
  resource: z.string(),
  status: z.enum(['REMEDIATED', 'ALREADY_COMPLIANT', 'DETECTED', 'SKIPPED', 'FAILED']),
  reason: z.string(),
  actions: strings,
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
});

export const AlertSchema = z.object({
  eventId: nonEmpty,
  severity: SeveritySchema,
  title: nonEmpty,
  summary: z._default(z.string(), ''),
  accountId: nonEmpty,
  region: nonEmpty,
  resourceType: z._default(z.string(), 'unknown'),
  resource: nonEmpty,
  eventName: nonEmpty,
  eventTime: z._default(z.string(), ''),
  actor: z._default(z.object({ type: z.string(), arn: z.optional(z.string()) }), { type: 'Unknown' }),
  sourceIp: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  outcomes: z.array(OutcomeSchema),
  links: z.object({ resource: z.string(), cloudTrailEvent: z.string() }),
});

const ChatNotificationSchema = z.object({
  version: z.string(),
  source: z.literal('custom'),
  metadata: z.object({ additionalContext: z.object({ alert: AlertSchema }) }),
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

/** One queued message: the alert it carries, or why it is not one. `id` is the SQS/SNS message id. */
export type InboundRecord =
  | { readonly id: string; readonly alert: SlackAlert }
  | { readonly id: string; readonly skipped: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads one SNS message (the chat notification JSON) into an alert, or says why it is not one. */
export function readMessage(id: string, message: string): InboundRecord {
  const json = parseJson(message);
  if (json === undefined) return { id, skipped: 'the message is not JSON' };
  const parsed = ChatNotificationSchema.safeParse(json);
  if (parsed.success) {
    const alert: SlackAlert = parsed.data.metadata.additionalContext.alert;
    return { id, alert };
  }
  const custom = (json as { source?: unknown } | null)?.source === 'custom';
  return {
    id,
    skipped: custom
      ? `not a Warden alert: ${describeIssues(parsed.error.issues)}`
      : 'not a Warden alert (no custom-notification body)',
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
