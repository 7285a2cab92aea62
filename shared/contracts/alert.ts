import * as z from 'zod/mini';
import { SeveritySchema } from './controls.ts';
import { ControlOutcomeSchema, WireOutcomeSchema } from './outcomes.ts';

const nonEmpty = z.string().check(z.minLength(1));

/**
 * One alert per CloudTrail event (or sweep finding): every finding on the resource and what Warden did
 * about it. This one schema is both what the guards publish and what notify-slack reads back; the
 * defaults let notify-slack read alerts published by an older Warden (redriven from a dead-letter queue).
 */
export const WireAlertSchema = z.object({
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
  outcomes: z.readonly(z.array(WireOutcomeSchema)),
  links: z.object({ resource: z.string(), cloudTrailEvent: z.string() }),
});
/** An alert as notify-slack reads it: any control id, so an unknown control still reaches people. */
export type WireAlert = z.output<typeof WireAlertSchema>;

/** An alert as Warden's guards build it: only known controls. */
export const AlertSchema = z.extend(WireAlertSchema, { outcomes: z.readonly(z.array(ControlOutcomeSchema)) });
export type Alert = z.output<typeof AlertSchema>;
