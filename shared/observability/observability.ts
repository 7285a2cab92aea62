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
}

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
  | 'SlackBudgetUnavailable';

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
  };
  return { logger, metrics, recorder };
}
