import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { dashboardNameOf, dashboardUrlOf } from '#shared/observability/dashboard-link.ts';
import { AlarmNotificationSchema, toSlackAlarm } from '#shared/slack/alarm.ts';
import { loadNotifySlackConfig } from '#shared/slack/config.ts';
import { planMessages } from '../../../functions/notify-slack/batch-plan.ts';
import type { Block } from '../../../functions/notify-slack/block-kit.ts';
import { toSlackMessage } from '../../../functions/notify-slack/slack-messages.ts';
import { sampleAlarmMessage, sampleAlert } from './helpers.ts';

const URL = dashboardUrlOf('eu-west-1', dashboardNameOf('warden'));
const ENV = {
  AWS_REGION: 'eu-west-1',
  WARDEN_SLACK_WEBHOOK_SECRET_ARN:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:warden/slack-webhook-url-AbCdEf',
  WARDEN_SLACK_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/warden-dlq',
  WARDEN_IDEMPOTENCY_TABLE: 'warden-idempotency',
};
const lastContext = (blocks: readonly Block[]) =>
  blocks.filter((block) => block.type === 'context').at(-1) as
    | Extract<Block, { type: 'context' }>
    | undefined;

describe("the dashboard link in every alert's context line", () => {
  it("is the region's CloudWatch console page of the dashboard", () => {
    expect(URL).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/warden-operations',
    );
  });

  it('closes the context line with the CloudTrail event id', () => {
    const alert = sampleAlert();

    const context = lastContext(toSlackMessage(alert, { dashboardUrl: URL }).blocks);

    expect(context?.elements[0]?.text).toBe(
      `Warden · CloudTrail event \`${alert.eventId}\` · <${URL}|Dashboard>`,
    );
  });

  it('is left out when the stack names no dashboard', () => {
    expect(lastContext(toSlackMessage(sampleAlert()).blocks)?.elements[0]?.text).not.toContain('Dashboard');
  });

  it('is in every message notify-slack plans: each alert, the digest and the alarms', () => {
    const records = ['a', 'b', 'c'].map((id) => ({
      id,
      alert: { ...sampleAlert(), eventId: `event-${id}` },
    }));
    const alarm = toSlackAlarm(AlarmNotificationSchema.parse(sampleAlarmMessage()));

    const messages = planMessages(records, 1, [{ id: 'alarm', alarm }], { dashboardUrl: URL });

    expect(messages.map((planned) => planned.kind)).toEqual(['alarm', 'alert', 'digest']);
    for (const planned of messages)
      expect(
        lastContext(planned.message.blocks)
          ?.elements.map((element) => element.text)
          .join(' '),
      ).toContain(`<${URL}|Dashboard>`);
  });

  it('comes from WARDEN_DASHBOARD_NAME (set by the stack) and the region', () => {
    expect(loadNotifySlackConfig({ ...ENV, WARDEN_DASHBOARD_NAME: 'warden-operations' }).dashboardUrl).toBe(
      URL,
    );
    expect(loadNotifySlackConfig(ENV).dashboardUrl).toBeUndefined();
  });

  it('refuses a dashboard name CloudWatch would not accept, naming the variable', () => {
    expect(() => loadNotifySlackConfig({ ...ENV, WARDEN_DASHBOARD_NAME: 'not a name' })).toThrow(ConfigError);
    expect(() => loadNotifySlackConfig({ ...ENV, WARDEN_DASHBOARD_NAME: 'not a name' })).toThrow(
      /WARDEN_DASHBOARD_NAME/,
    );
  });
});
