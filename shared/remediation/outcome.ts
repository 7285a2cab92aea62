import type { ControlId } from '#shared/controls/control-ids.ts';
import type { Severity } from '#shared/controls/types.ts';

export type OutcomeStatus = 'REMEDIATED' | 'ALREADY_COMPLIANT' | 'DETECTED' | 'SKIPPED' | 'FAILED';

/** What happened to one control for one event: logged as one line, counted, alerted, audited. */
export interface ControlOutcome {
  readonly controlId: ControlId;
  readonly title: string;
  readonly severity: Severity;
  readonly compliance: readonly string[];
  readonly resource: string;
  readonly status: OutcomeStatus;
  /** Why: the finding summary, the failure, or why it was skipped. */
  readonly reason: string;
  /** Actions applied (REMEDIATED) or that would be applied (DETECTED). */
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
}

/** The status of one event as a whole, returned by the handler. */
export type EventStatus = 'PROCESSED' | 'IGNORED' | 'REJECTED' | 'FAILED';

export interface GuardResult {
  readonly status: EventStatus;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly reason?: string;
  readonly outcomes: readonly ControlOutcome[];
  /** SNS message id of the alert, when one was published. */
  readonly alertMessageId?: string;
}
