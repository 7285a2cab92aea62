import { describe, expect, it } from 'vitest';
import { AlarmNotificationSchema, alarmConsoleUrl, alarmKey, toSlackAlarm } from '#shared/slack/alarm.ts';
import { sampleAlarmMessage } from './helpers.ts';

const NAME = 'warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y';

describe('toSlackAlarm', () => {
  it('reads the sample alarm notification, with the region code from the alarm ARN', () => {
    const alarm = toSlackAlarm(AlarmNotificationSchema.parse(sampleAlarmMessage()));

    expect(alarm).toMatchObject({
      name: NAME,
      state: 'ALARM',
      previousState: 'OK',
      accountId: '123456789012',
      region: 'us-east-1',
      changedAt: '2026-11-20T10:15:42.371+0000',
      metric: 'AWS/SQS ApproximateNumberOfMessagesVisible',
    });
  });

  it("keeps CloudWatch's region name when the notification has no alarm ARN", () => {
    const { AlarmArn: _, ...message } = sampleAlarmMessage();

    const alarm = toSlackAlarm(AlarmNotificationSchema.parse(message));

    expect(alarm.region).toBe('US East (N. Virginia)');
    expect(alarm.consoleUrl).toBeUndefined();
  });

  it('reads a composite alarm, which has no metric trigger', () => {
    const { Trigger: _, ...message } = sampleAlarmMessage();

    const alarm = toSlackAlarm(
      AlarmNotificationSchema.parse({ ...message, AlarmRule: 'ALARM(a) OR ALARM(b)' }),
    );

    expect(alarm.metric).toBeUndefined();
  });

  it('refuses a message without a state', () => {
    const { NewStateValue: _, ...message } = sampleAlarmMessage();

    expect(AlarmNotificationSchema.safeParse(message).success).toBe(false);
  });
});

describe('alarmConsoleUrl', () => {
  it.each([
    [
      `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${NAME}`,
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/${NAME}`,
    ],
    [
      `arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:${NAME}`,
      `https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/${NAME}`,
    ],
    [
      `arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:${NAME}`,
      `https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/${NAME}`,
    ],
  ])('links %s to its console page', (arn, url) => {
    expect(alarmConsoleUrl(NAME, arn)).toBe(url);
  });

  it('encodes the alarm name', () => {
    expect(alarmConsoleUrl('a b/c', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a b/c')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/a%20b%2Fc',
    );
  });

  it('gives no link for something that is not an alarm ARN', () => {
    expect(alarmConsoleUrl(NAME, 'arn:aws:sns:us-east-1:123456789012:warden-alerts')).toBeUndefined();
  });
});

describe('alarmKey', () => {
  it('tells state changes of one alarm apart', () => {
    const alarm = toSlackAlarm(AlarmNotificationSchema.parse(sampleAlarmMessage()));

    expect(alarmKey(alarm)).not.toBe(alarmKey({ ...alarm, state: 'OK' }));
    expect(alarmKey(alarm)).toBe(alarmKey({ ...alarm }));
  });
});
