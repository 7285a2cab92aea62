import * as z from 'zod/mini';

/**
 * A CloudWatch alarm state change as CloudWatch publishes it to an SNS topic (Warden's alarms notify
 * the alert topic: see infra/constructs/alarm-topic.ts). `Region` is the display name
 * ("US East (N. Virginia)"); the region code comes from `AlarmArn`.
 */
const nonEmpty = z.string().check(z.minLength(1));

export const AlarmStateSchema = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
export type AlarmState = z.output<typeof AlarmStateSchema>;

export const AlarmNotificationSchema = z.object({
  AlarmName: nonEmpty,
  AlarmDescription: z.optional(z.nullable(z.string())),
  AWSAccountId: nonEmpty,
  NewStateValue: AlarmStateSchema,
  NewStateReason: z.string(),
  StateChangeTime: nonEmpty,
  Region: z.string(),
  AlarmArn: z.optional(z.string()),
  OldStateValue: z.optional(z.string()),
  // Metric alarms only; a composite alarm has an `AlarmRule` instead.
  Trigger: z.optional(
    z.object({
      MetricName: z.optional(z.nullable(z.string())),
      Namespace: z.optional(z.nullable(z.string())),
    }),
  ),
});

/** An alarm as notify-slack renders it. */
export interface SlackAlarm {
  readonly name: string;
  readonly description?: string;
  readonly state: AlarmState;
  readonly previousState?: string;
  readonly reason: string;
  readonly changedAt: string;
  readonly accountId: string;
  /** The region code when the ARN gives it, else CloudWatch's display name. */
  readonly region: string;
  readonly arn?: string;
  /** `Namespace MetricName` of a metric alarm. */
  readonly metric?: string;
  /** The alarm in the CloudWatch console; absent when the region is unknown. */
  readonly consoleUrl?: string;
}

const ALARM_ARN = /^arn:(aws[a-z-]*):cloudwatch:([a-z0-9-]+):\d{12}:alarm:/;

/** The console's host per partition (China and GovCloud have their own). */
function consoleBase(partition: string, region: string): string | undefined {
  if (partition === 'aws') return `https://${region}.console.aws.amazon.com`;
  if (partition === 'aws-cn') return 'https://console.amazonaws.cn';
  if (partition === 'aws-us-gov') return 'https://console.amazonaws-us-gov.com';
  return undefined;
}

/** The link to the alarm's page in the CloudWatch console, from its ARN. Pure. */
export function alarmConsoleUrl(name: string, arn: string | undefined): string | undefined {
  const match = arn ? ALARM_ARN.exec(arn) : null;
  const partition = match?.[1];
  const region = match?.[2];
  if (!partition || !region) return undefined;
  const base = consoleBase(partition, region);
  return base
    ? `${base}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`
    : undefined;
}

export function toSlackAlarm(notification: z.output<typeof AlarmNotificationSchema>): SlackAlarm {
  const arn = notification.AlarmArn || undefined;
  const regionCode = arn ? ALARM_ARN.exec(arn)?.[2] : undefined;
  const metric = [notification.Trigger?.Namespace, notification.Trigger?.MetricName]
    .filter(Boolean)
    .join(' ');
  const consoleUrl = alarmConsoleUrl(notification.AlarmName, arn);
  return {
    name: notification.AlarmName,
    ...(notification.AlarmDescription ? { description: notification.AlarmDescription } : {}),
    state: notification.NewStateValue,
    ...(notification.OldStateValue ? { previousState: notification.OldStateValue } : {}),
    reason: notification.NewStateReason,
    changedAt: notification.StateChangeTime,
    accountId: notification.AWSAccountId,
    region: regionCode ?? notification.Region,
    ...(arn ? { arn } : {}),
    ...(metric ? { metric } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
  };
}

/** One state change of one alarm: duplicate deliveries of it collapse into one Slack message. */
export function alarmKey(alarm: SlackAlarm): string {
  return `${alarm.arn ?? `${alarm.accountId}/${alarm.name}`}|${alarm.state}|${alarm.changedAt}`;
}
