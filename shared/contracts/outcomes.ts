import * as z from 'zod/mini';
import { ControlIdSchema, SeveritySchema } from './controls.ts';

export const OUTCOME_STATUSES = ['REMEDIATED', 'ALREADY_COMPLIANT', 'DETECTED', 'SKIPPED', 'FAILED'] as const;
export const OutcomeStatusSchema = z.enum(OUTCOME_STATUSES);
export type OutcomeStatus = z.infer<typeof OutcomeStatusSchema>;

const strings = z._default(z.readonly(z.array(z.string())), []);

/**
 * One control's outcome as it travels (alerts, audit records): any control id, so an alert from a newer
 * or older Warden still reaches people. What Warden itself produces is the stricter `ControlOutcome`.
 */
export const WireOutcomeSchema = z.object({
  controlId: z.string().check(z.minLength(1)),
  title: z.string(),
  severity: SeveritySchema,
  compliance: strings,
  resource: z.string(),
  status: OutcomeStatusSchema,
  /** Why: the finding summary, the failure, or why it was skipped. */
  reason: z.string(),
  /** Actions applied (REMEDIATED, FAILED) or that would be applied (DETECTED, worded "Would ..."). */
  actions: strings,
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
});
export type WireOutcome = z.output<typeof WireOutcomeSchema>;

/** What happened to one control for one event: logged as one line, counted, alerted, audited. */
export const ControlOutcomeSchema = z.extend(WireOutcomeSchema, { controlId: ControlIdSchema });
export type ControlOutcome = Readonly<z.output<typeof ControlOutcomeSchema>>;

/** The status of one event as a whole, returned by a handler. */
export const EVENT_STATUSES = ['PROCESSED', 'IGNORED', 'REJECTED', 'FAILED'] as const;
export const EventStatusSchema = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof EventStatusSchema>;

export const GuardResultSchema = z.object({
  status: EventStatusSchema,
  eventId: z.optional(z.string()),
  eventName: z.optional(z.string()),
  reason: z.optional(z.string()),
  outcomes: z.readonly(z.array(ControlOutcomeSchema)),
  /** SNS message id of the alert, when one was published. */
  alertMessageId: z.optional(z.string()),
});
export type GuardResult = Readonly<z.output<typeof GuardResultSchema>>;
