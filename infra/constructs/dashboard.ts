import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '#shared/config/names.ts';
import { dashboardNameOf, dashboardUrlOf } from '#shared/observability/dashboard-link.ts';
import { METRICS_NAMESPACE } from '#shared/observability/observability.ts';
import type { GuardFunction } from './guard-function.ts';

/** The sweep's metrics (shared/sweep): service dimension `sweep`, counted per run. */
/** The sweep's metrics come from sweep-worker (its Powertools service name), once per completed sweep. */
const SWEEP_SERVICE: FunctionName = 'sweep-worker';

export const SWEEP_METRICS = [
  'SweepResourcesChecked',
  'SweepRepairs',
  'SweepFindings',
  'SweepFailures',
  'SweepDrift',
] as const;
const PERIOD = Duration.minutes(5);
const SECONDS = PERIOD.toSeconds();

export interface WardenDashboardProps {
  readonly prefix: string;
  /** The functions whose errors and throttles are shown (every Warden function of the hub). */
  readonly functions: readonly GuardFunction[];
  /** Dead-letter queues by what they hold: a message there is a change or alert nobody handled. */
  readonly deadLetterQueues: readonly { readonly label: string; readonly queue: sqs.IQueue }[];
  /** The alert queue notify-slack reads (its age: how late alerts reach Slack). */
  readonly alertQueue: sqs.IQueue;
}

/**
 * Every series of one Warden metric, one line per value of `by` (e.g. per control), whichever guard or
 * control emitted it: a CloudWatch search, so controls added later appear without a dashboard change.
 */
function perDimension(metricName: string, by: 'control' | 'service', statistic = 'Sum'): cloudwatch.IMetric {
  const dimensions = by === 'control' ? 'control,service' : 'service';
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions}} MetricName="${metricName}"', '${statistic}', ${SECONDS})`,
    label: `${metricName} \${PROP('Dim.${by}')}`,
    period: PERIOD,
  });
}

const wardenMetric = (metricName: string, service: string, statistic = cloudwatch.Stats.SUM) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic,
    period: PERIOD,
    label: metricName,
  });

const graph = (title: string, left: cloudwatch.IMetric[], width = 12) =>
  new cloudwatch.GraphWidget({ title, left, width, height: 6, leftYAxis: { min: 0 } });

/**
 * Warden's operations dashboard in the hub: what was repaired and found per control, what failed, how fast
 * an event is fixed (p50/p99 from CloudTrail's eventTime to the verified repair), rejected events,
 * dead-letter depth, Slack delivery, and the sweep's results and the drift events missed.
 */
export class WardenDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly dashboardName: string;
  /** The console address (region-qualified), as the stack outputs it. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WardenDashboardProps) {
    super(scope, id);
    this.dashboardName = dashboardNameOf(props.prefix);
    this.url = dashboardUrlOf(Stack.of(this).region, this.dashboardName);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown:
              '# Warden\nRepairs and findings per control, failures, event-to-fixed latency, rejected events, ' +
              'dead letters, Slack delivery and the sweep. Every alert links here; details are in the audit ' +
              'trail (`npx warden audit list`).',
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('Remediations per control', [perDimension('Remediations', 'control')]),
          graph('Findings per control (violations)', [perDimension('Violations', 'control')]),
        ],
        [
          graph('Failures', [
            perDimension('RemediationFailures', 'service'),
            perDimension('FindingsImportFailures', 'service'),
            ...props.functions.map((guard) =>
              guard.function.metricErrors({
                period: PERIOD,
                statistic: cloudwatch.Stats.SUM,
                label: `${guard.service} errors`,
              }),
            ),
          ]),
          graph('Event to fixed (ms, CloudTrail eventTime to verified repair)', [
            perDimension('EventToFixedMs', 'service', 'p50'),
            perDimension('EventToFixedMs', 'service', 'p99'),
          ]),
        ],
        [
          graph('Rejected events', [perDimension('EventsRejected', 'service')], 8),
          graph(
            'Dead-letter queues (messages)',
            props.deadLetterQueues.map(({ label, queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                statistic: cloudwatch.Stats.MAXIMUM,
                label,
              }),
            ),
            8,
          ),
          graph(
            'Security Hub findings imported per control',
            [perDimension('FindingsImported', 'control')],
            8,
          ),
        ],
        [
          graph('Slack delivery', [
            wardenMetric('SlackMessagesDelivered', 'notify-slack'),
            wardenMetric('SlackDigestsDelivered', 'notify-slack'),
            wardenMetric('SlackDeliveryFailures', 'notify-slack'),
            wardenMetric('SlackDeliveryPermanentFailures', 'notify-slack'),
          ]),
          graph('Alert age before Slack (s)', [
            props.alertQueue.metricApproximateAgeOfOldestMessage({
              period: PERIOD,
              statistic: cloudwatch.Stats.MAXIMUM,
            }),
          ]),
        ],
        [
          graph(
            'Sweep results',
            SWEEP_METRICS.filter((name) => name !== 'SweepDrift').map((name) =>
              wardenMetric(name, SWEEP_SERVICE),
            ),
          ),
          graph(
            'Drift the events missed (found by the sweep)',
            [wardenMetric('SweepDrift', SWEEP_SERVICE)],
            6,
          ),
          graph(
            'Sweep duration (ms)',
            [wardenMetric('SweepDurationMs', SWEEP_SERVICE, cloudwatch.Stats.MAXIMUM)],
            6,
          ),
        ],
      ],
    });
  }
}
