import { Logger } from '@aws-lambda-powertools/logger';
import { search } from '@aws-lambda-powertools/logger/correlationId';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The logging surface use cases may touch: structured lines, never whole events or secrets. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Counters by name, optionally split by control. */
export interface MetricsRecorder {
  count(name: WardenMetric, dimensions?: Readonly<Record<string, string>>): void;
  /**
   * A duration in milliseconds (dashboards show its percentiles). Optional: recorders that only count
   * (tests' in-memory fakes) leave it out, and callers use `metrics.milliseconds?.(...)`.
   */
  milliseconds?(name: WardenDuration, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Durations: from a CloudTrail event's `eventTime` to the verified fix (not for the sweep's calls). */
export type WardenDuration = 'EventToFixedMs';

export type WardenMetric =
  | 'EventsIgnored'
  | 'EventsRejected'
  /** A guard: a simultaneous duplicate delivery found its event in progress elsewhere and ended quietly. */
  | 'DuplicateInProgress'
  | 'Violations'
  | 'Remediations'
  | 'RemediationFailures'
  | 'Detections'
  | 'AlertsPublished'
  | 'NotificationsSkipped'
  | 'SlackMessagesDelivered'
  | 'SlackDigestsDelivered'
  | 'SlackDeliveryFailures'
  | 'SlackDeliveryPermanentFailures'
  /** notify-slack: the shared message budget could not be read or updated; the batch used its own limit. */
  | 'SlackBudgetUnavailable'
  /** Security Hub: findings imported (created or updated), and findings that failed to import (alarmed). */
  | 'FindingsImported'
  | 'FindingsImportFailures'
  /** Security Hub: a member account's findings, which only that account can import (README, Security Hub). */
  | 'FindingsNotImported'
  /** A fight with another actor over a resource began (shared/guard/fight.ts), by control. */
  | 'FightsStarted';

export const METRICS_NAMESPACE = 'Warden';

/** One Logger and one Metrics instance per function (built once per cold start). */
export function createObservability(serviceName: string) {
  const logger = new Logger({ serviceName, correlationIdSearchFn: search });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  const recorder: MetricsRecorder = {
    count(name, dimensions) {
      // Always counted under the service alone too: CloudWatch never sums across dimension sets, and
      // the alarms watch the service total (infra/stacks/hub-stack.ts).
      metrics.addMetric(name, MetricUnit.Count, 1);
      if (!dimensions || Object.keys(dimensions).length === 0) return;
      const single = metrics.singleMetric();
      for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
      single.addMetric(name, MetricUnit.Count, 1);
    },
    milliseconds(name, value, dimensions) {
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions ?? {})) single.addDimension(key, dimension);
      single.addMetric(name, MetricUnit.Milliseconds, value);
    },
  };
  return { logger, metrics, recorder };
}
