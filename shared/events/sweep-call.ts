import type { ApiCall } from './normalise.ts';

/**
 * The sweep runs each resource through the same guard pipeline as an event, as a synthetic call of
 * these names: every active control of the resource runs (not only those an event name triggers), and
 * the call's id keys the journal and audit records of this sweep and resource.
 */
export const SWEEP_EVENT_NAME = 'WardenSweep';
export const SWEEP_ACCOUNT_EVENT_NAME = 'WardenSweepAccount';
export const SWEEP_EVENT_NAMES: readonly string[] = [SWEEP_EVENT_NAME, SWEEP_ACCOUNT_EVENT_NAME];

export const SWEEP_ACTOR_TYPE = 'WardenSweep';

export interface SweepCallInput {
  readonly sweepId: string;
  readonly accountId: string;
  readonly region: string;
  /** When the sweep started: what the audit trail and the alert show as the "event" time. */
  readonly startedAt: string;
  /** A bucket, or none for the account's own settings. */
  readonly bucket?: string;
}

export const isSweepCall = (call: Pick<ApiCall, 'eventName'>): boolean =>
  SWEEP_EVENT_NAMES.includes(call.eventName);

/** The synthetic call for one resource of one sweep. Its id is unique per sweep, account, region and resource. */
export function sweepCall(input: SweepCallInput): ApiCall {
  const resource = input.bucket ?? 'account';
  return {
    eventId: `sweep-${input.sweepId}-${input.accountId}-${input.region}-${resource}`,
    eventName: input.bucket === undefined ? SWEEP_ACCOUNT_EVENT_NAME : SWEEP_EVENT_NAME,
    eventSource: 's3.amazonaws.com',
    eventTime: input.startedAt,
    region: input.region,
    accountId: input.accountId,
    actor: { type: SWEEP_ACTOR_TYPE },
    requestParameters: input.bucket === undefined ? {} : { bucketName: input.bucket },
    responseElements: {},
    additionalEventData: { sweepId: input.sweepId },
  };
}
