import { describe, expect, it } from 'vitest';
import { AlarmNotificationSchema, type SlackAlarm, toSlackAlarm } from '#shared/slack/alarm.ts';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import type { Block } from '../../../functions/notify-slack/block-kit.ts';
import {
  toAlarmMessage,
  toDigestMessage,
  toSlackMessage,
} from '../../../functions/notify-slack/slack-messages.ts';
import { TRUNCATION_MARK } from '../../../functions/notify-slack/text.ts';
import { alertFor, allText, limitViolations, sampleAlarmMessage, sampleAlert } from './helpers.ts';

const ofType = <T extends Block['type']>(blocks: readonly Block[], type: T) =>
  blocks.filter((block): block is Extract<Block, { type: T }> => block.type === type);

describe('toSlackMessage', () => {
  it('opens with a header naming the severity and what Warden did', () => {
    const message = toSlackMessage(sampleAlert());

    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':large_orange_circle: HIGH: Warden repaired example-bucket',
        emoji: true,
      },
    });
  });

  it('says what happened, who did it, from where, and where it happened', () => {
    const alert = sampleAlert();

    const text = allText(toSlackMessage(alert));

    expect(text).toContain(
      '*What happened*\n`DeleteBucketEncryption` on `example-bucket` at 2026-11-20T10:15:06Z',
    );
    expect(text).toContain(`*Who*\n\`${alert.actor.arn}\``);
    expect(text).toContain('*Source IP*\n`203.0.113.10`');
    expect(text).toContain('*Account*\n`123456789012`');
    expect(text).toContain('*Region*\n`us-east-1`');
    expect(text).toContain('*Resource*\nAWS::S3::Bucket `example-bucket`');
  });

  it('shows each outcome with its status, actions and before → after as code', () => {
    const text = allText(toSlackMessage(sampleAlert()));

    expect(text).toContain(':white_check_mark: Fixed · *S3 default encryption uses SSE-KMS');
    expect(text).toContain(
      '• Set default encryption to SSE-KMS with arn:aws:kms:us-east-1:123456789012:key/',
    );
    expect(text).toMatch(/```before: \{"encryption".*"AES256".*\nafter: {2}\{"encryption".*"aws:kms".*```/s);
  });

  it('lists the mapped controls and compliance ids', () => {
    const contexts = ofType(toSlackMessage(sampleAlert()).blocks, 'context');

    expect(contexts[0]?.elements[0]?.text).toBe(
      '*Control* `s3-encryption-kms` · Security Hub S3.17 · NIST 800-53 SC-28 · CIS AWS Foundations 2.1.1 (encryption at rest)',
    );
  });

  it('links to the resource in the console and to the CloudTrail event', () => {
    const alert = sampleAlert();

    const [actions] = ofType(toSlackMessage(alert).blocks, 'actions');

    expect(actions?.elements.map((button) => button.url)).toEqual([
      alert.links.resource,
      alert.links.cloudTrailEvent,
    ]);
  });

  it('leaves out links that are not https', () => {
    const alert = {
      ...sampleAlert(),
      links: { resource: 'javascript:alert(1)', cloudTrailEvent: 'http://x' },
    };

    expect(ofType(toSlackMessage(alert).blocks, 'actions')).toEqual([]);
  });

  it('has a plain fallback text for notifications', () => {
    expect(toSlackMessage(sampleAlert()).text).toBe(
      'HIGH: Warden repaired example-bucket (DeleteBucketEncryption by ' +
        'arn:aws:sts::123456789012:assumed-role/PlatformEngineer/alice@example.com in account 123456789012, us-east-1)',
    );
  });

  it('escapes text from the event so it cannot mention or link', () => {
    const alert = { ...sampleAlert(), summary: '<!channel> see <https://evil.example|here>' };

    const text = allText(toSlackMessage(alert));

    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('keeps every Slack limit with huge inputs', () => {
    const base = sampleAlert();
    const [outcome] = base.outcomes;
    if (!outcome) throw new Error('fixture has no outcome');
    const huge: SlackAlert = {
      ...base,
      title: `${'😀'.repeat(100)} ${'t'.repeat(10_000)}`,
      summary: 's'.repeat(50_000),
      actor: { type: 'AssumedRole', arn: `arn:aws:sts::123456789012:assumed-role/${'r'.repeat(5_000)}` },
      resource: 'b'.repeat(3_000),
      outcomes: Array.from({ length: 200 }, (_, index) => ({
        ...outcome,
        controlId: `control-${index}`,
        title: 'T'.repeat(1_000),
        reason: `${'&<>'.repeat(2_000)}`,
        actions: Array.from({ length: 50 }, () => 'a'.repeat(500)),
        compliance: Array.from({ length: 50 }, () => 'Security Hub S3.17'),
        before: { policy: 'p```'.repeat(20_000) },
        after: { policy: '😀'.repeat(20_000) },
      })),
    };

    const message = toSlackMessage(huge);

    expect(limitViolations(message)).toEqual([]);
    expect(allText(message)).toContain(TRUNCATION_MARK);
    expect(allText(message)).toContain('…and 180 more outcomes (truncated)');
  });

  it('keeps every limit for the sample alert', () => {
    expect(limitViolations(toSlackMessage(sampleAlert()))).toEqual([]);
  });

  it('emits no empty text element for an alert without outcomes (Slack answers invalid_blocks)', () => {
    const message = toSlackMessage({ ...sampleAlert(), outcomes: [] });

    const texts = ofType(message.blocks, 'context').flatMap((block) => block.elements.map((e) => e.text));
    expect(texts).toEqual(['Warden · CloudTrail event `0a342d02-24ed-5c88-9434-997fc22b34a7`']);
    expect(limitViolations(message)).toEqual([]);
  });
});

describe('toAlarmMessage', () => {
  const sampleAlarm = (): SlackAlarm => toSlackAlarm(AlarmNotificationSchema.parse(sampleAlarmMessage()));

  it('heads with the state and the alarm name', () => {
    expect(toAlarmMessage(sampleAlarm()).blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':rotating_light: ALARM: warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y',
        emoji: true,
      },
    });
  });

  it('says why, the state change, when, the account, region and metric', () => {
    const text = allText(toAlarmMessage(sampleAlarm()));

    expect(text).toContain('*Reason*\nThreshold Crossed: 1 out of the last 1 datapoints');
    expect(text).toContain('are waiting in a dead-letter queue. Inspect and redrive them.');
    expect(text).toContain('*State*\nOK → ALARM');
    expect(text).toContain('*Since*\n2026-11-20T10:15:42.371+0000');
    expect(text).toContain('*Account*\n`123456789012`');
    expect(text).toContain('*Region*\n`us-east-1`');
    expect(text).toContain('*Metric*\n`AWS/SQS ApproximateNumberOfMessagesVisible`');
  });

  it('links to the alarm in the CloudWatch console', () => {
    const [actions] = ofType(toAlarmMessage(sampleAlarm()).blocks, 'actions');

    expect(actions?.elements.map((button) => button.url)).toEqual([
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1' +
        '#alarmsV2:alarm/warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y',
    ]);
  });

  it('has a plain fallback text naming the state, alarm, account and region', () => {
    expect(toAlarmMessage(sampleAlarm()).text).toBe(
      'ALARM: CloudWatch alarm warden-hub-SlackUndeliveredAlertsDepthAlarm8C1F3D2A-1Q2W3E4R5T6Y ' +
        'in account 123456789012, us-east-1',
    );
  });

  it('escapes the alarm text and keeps every Slack limit with huge inputs', () => {
    const alarm: SlackAlarm = {
      ...sampleAlarm(),
      name: `<!channel>${'n'.repeat(300)}`,
      description: 'd'.repeat(5_000),
      reason: `<!here> ${'r'.repeat(5_000)}`,
    };

    const message = toAlarmMessage(alarm);

    expect(limitViolations(message)).toEqual([]);
    expect(allText(message)).not.toContain('<!here>');
  });

  it('leaves the button out when the alarm ARN does not say where the alarm is', () => {
    const { consoleUrl: _, ...alarm } = sampleAlarm();

    const message = toAlarmMessage(alarm);

    expect(ofType(message.blocks, 'actions')).toEqual([]);
    expect(limitViolations(message)).toEqual([]);
  });
});

describe('toDigestMessage', () => {
  const storm = (): SlackAlert[] => [
    ...Array.from({ length: 3 }, (_, i) => alertFor(i, 'CRITICAL', '111111111111')),
    ...Array.from({ length: 490 }, (_, i) => alertFor(i + 3, 'HIGH')),
    ...Array.from({ length: 2 }, (_, i) => alertFor(i + 493, 'LOW')),
  ];

  it('counts the alerts by severity, outcome, control and account', () => {
    const text = allText(toDigestMessage(storm(), 5));

    expect(text).toContain('*By severity*\nHIGH ×490\nCRITICAL ×3\nLOW ×2');
    expect(text).toContain('*By outcome*\nfixed ×495');
    expect(text).toContain('*By control*\n`s3-encryption-kms` ×495');
    expect(text).toContain('*By account*\n`123456789012` ×492\n`111111111111` ×3');
  });

  it('says how many were raised and where the rest are', () => {
    const text = allText(toDigestMessage(storm(), 5));

    expect(text).toContain('Warden raised *500* alerts together; the 5 most severe are posted separately.');
    expect(text).toContain("every one is in Warden's audit trail");
  });

  it('summarises all of them when none was posted separately (the message budget was spent)', () => {
    const text = allText(toDigestMessage(storm().slice(0, 40), 0));

    expect(text).toContain('Warden raised *40* alerts together. All 40 are summarised here;');
  });

  it('names the resources most severe first, grouped by what happened', () => {
    const sections = ofType(toDigestMessage(storm(), 5).blocks, 'section');

    const text = sections.find((block) => block.text?.text.startsWith('*Resources*'))?.text?.text ?? '';
    expect(text.split('\n').slice(1, 3)).toEqual([
      '*CRITICAL · DeleteBucketEncryption · 111111111111/us-east-1 · fixed*',
      '`iac-bucket-000`, `iac-bucket-001`, `iac-bucket-002`',
    ]);
  });

  it('heads with the worst severity and the number of alerts it covers', () => {
    const message = toDigestMessage(storm(), 5);

    expect(message.blocks[0]).toMatchObject({ text: { text: ':red_circle: Warden digest: 495 alerts' } });
    expect(message.text).toBe('Warden digest: 495 alerts (worst CRITICAL) of 500 raised together');
  });

  it('keeps every Slack limit with many accounts, controls and long names', () => {
    const alerts = Array.from({ length: 2_000 }, (_, i) => ({
      ...alertFor(i, 'MEDIUM', String(100000000000 + i)),
      resource: `${'x'.repeat(60)}-${i}`,
      actor: { type: 'AssumedRole', arn: `arn:aws:sts::1:assumed-role/${'r'.repeat(900)}-${i}` },
    }));

    expect(limitViolations(toDigestMessage(alerts, 5))).toEqual([]);
  });
});
