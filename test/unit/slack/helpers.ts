import type { Severity } from '#shared/contracts/controls.ts';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import type { Block, SlackMessage } from '../../../functions/notify-slack/block-kit.ts';
import { loadEvent } from '../../fixtures.ts';

interface SnsEventFixture {
  Records: { Sns: { MessageId: string; Message: string } }[];
}
interface SqsEventFixture {
  Records: { messageId: string; body: string }[];
}

export const loadSnsEvent = (name: string) => loadEvent(`sns/${name}`) as unknown as SnsEventFixture;
export const loadSqsEvent = (name: string) => loadEvent(`sns/${name}`) as unknown as SqsEventFixture;

/** The alert inside `events/sns/alert-s3-remediated.json` (JSON text in `additionalContext`), fresh per call. */
export function sampleAlert(): SlackAlert {
  const message = JSON.parse(loadSnsEvent('alert-s3-remediated.json').Records[0]?.Sns.Message ?? '{}');
  return JSON.parse(message.metadata.additionalContext.alert) as SlackAlert;
}

/** The CloudWatch alarm notification inside `events/sns/cloudwatch-alarm.json`, fresh per call. */
export function sampleAlarmMessage(): Record<string, unknown> {
  return JSON.parse(loadSnsEvent('cloudwatch-alarm.json').Records[0]?.Sns.Message ?? '{}');
}

/** A variant of the sample alert for another bucket, event and severity. */
export function alertFor(index: number, severity: Severity = 'HIGH', accountId = '123456789012'): SlackAlert {
  const base = sampleAlert();
  const bucket = `iac-bucket-${String(index).padStart(3, '0')}`;
  return {
    ...base,
    eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    severity,
    title: `Warden repaired ${bucket}`,
    accountId,
    resource: bucket,
    eventTime: `2026-11-20T10:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}Z`,
    outcomes: base.outcomes.map((outcome) => ({ ...outcome, severity, resource: bucket })),
  };
}

/** An SNS notification body (SQS raw delivery off) carrying `message`, as SNS → SQS delivers it. */
export function snsEnvelopeOf(message: string, messageId = 'sns-message'): string {
  return JSON.stringify({ Type: 'Notification', MessageId: messageId, Message: message });
}

/** An SNS notification body (SQS raw delivery off) carrying `alert`, as SNS → SQS delivers it. */
export function snsEnvelope(alert: SlackAlert): string {
  const message = JSON.parse(loadSnsEvent('alert-s3-remediated.json').Records[0]?.Sns.Message ?? '{}');
  message.metadata.additionalContext.alert = JSON.stringify(alert);
  return snsEnvelopeOf(JSON.stringify(message), `sns-${alert.eventId}`);
}

export function sqsEvent(bodies: readonly string[]) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `msg-${index}`,
      receiptHandle: `rh-${index}`,
      body,
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:warden-notify-slack',
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * Slack's documented Block Kit limits, written out here rather than imported from the code under
 * test: a wrong production constant must fail these checks, not move them.
 */
const LIMIT = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  /** Warden's own cap on the notification fallback text. */
  fallbackText: 3000,
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every text of a message, with the limit Slack applies to it. */
function textsOf(block: Block): { text: string; max: number }[] {
  switch (block.type) {
    case 'header':
      return [{ text: block.text.text, max: LIMIT.headerText }];
    case 'section':
      return [
        ...(block.text ? [{ text: block.text.text, max: LIMIT.sectionText }] : []),
        ...(block.fields ?? []).map((field) => ({ text: field.text, max: LIMIT.fieldText })),
      ];
    case 'context':
      return block.elements.map((element) => ({ text: element.text, max: LIMIT.sectionText }));
    case 'actions':
      return block.elements.flatMap((button) => [
        { text: button.text.text, max: LIMIT.buttonText },
        { text: button.url, max: LIMIT.buttonUrl },
      ]);
    case 'divider':
      return [];
  }
}

/** Slack's limits and the well-formedness truncation must keep, as a list of violations. */
export function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > LIMIT.blocks) problems.push(`${message.blocks.length} blocks`);
  if (message.text.length > LIMIT.fallbackText) problems.push(`fallback text ${message.text.length}`);
  message.blocks.forEach((block, index) => {
    if (block.type === 'section' && (block.fields?.length ?? 0) > LIMIT.fields)
      problems.push(`block ${index}: too many fields`);
    if (block.type === 'context' && block.elements.length > LIMIT.contextElements)
      problems.push(`block ${index}: too many context elements`);
    for (const { text, max } of textsOf(block)) {
      if (text.length > max) problems.push(`block ${index} (${block.type}): ${text.length} > ${max}`);
      if (text.length === 0) problems.push(`block ${index} (${block.type}): empty text`);
      if (LONE_SURROGATE.test(text)) problems.push(`block ${index} (${block.type}): split surrogate pair`);
      if ((text.split('```').length - 1) % 2 !== 0)
        problems.push(`block ${index} (${block.type}): open fence`);
    }
  });
  return problems;
}

export function allText(message: SlackMessage): string {
  return message.blocks.flatMap((block) => textsOf(block).map((item) => item.text)).join('\n');
}

export { LONE_SURROGATE };
