import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { isSweepCall } from '#shared/events/sweep-call.ts';
import type { Clock, MetricsRecorder } from '#shared/observability/observability.ts';

/**
 * Event to fixed: from CloudTrail's `eventTime` (when the risky call was made) to now, when the repair has
 * been read back (verified). Only for events Warden repaired; not for the sweep's synthetic calls, whose
 * time is the sweep's start and says nothing about how fast Warden answers a change.
 */
export function recordEventToFixed(
  deps: { readonly metrics: MetricsRecorder; readonly clock: Clock },
  call: Pick<ApiCall, 'eventName' | 'eventTime'>,
  outcomes: readonly ControlOutcome[],
): void {
  if (isSweepCall(call) || !outcomes.some((outcome) => outcome.status === 'REMEDIATED')) return;
  const elapsed = deps.clock.now().getTime() - Date.parse(call.eventTime);
  // An unparseable or future event time (clock skew) would only distort the percentiles.
  if (Number.isFinite(elapsed) && elapsed >= 0) deps.metrics.milliseconds?.('EventToFixedMs', elapsed);
}
