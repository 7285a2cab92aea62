import { describe, expect, it } from 'vitest';
import { readMessage, readSqsBody } from '#shared/slack/inbound.ts';
import { loadSnsEvent, sampleAlarmMessage, sampleAlert, snsEnvelopeOf } from './helpers.ts';

const sampleMessage = () =>
  JSON.parse(loadSnsEvent('alert-s3-remediated.json').Records[0]?.Sns.Message ?? '{}') as {
    metadata: { additionalContext: Record<string, unknown> };
  };

describe('readMessage', () => {
  it('parses the alert back from the JSON text in additionalContext', () => {
    const record = readMessage('m-1', JSON.stringify(sampleMessage()));

    expect(record).toEqual({ id: 'm-1', alert: sampleAlert() });
  });

  it('still reads an alert published as an object (before additionalContext held strings)', () => {
    const message = sampleMessage();
    message.metadata.additionalContext.alert = sampleAlert();

    expect(readMessage('m-1', JSON.stringify(message))).toEqual({ id: 'm-1', alert: sampleAlert() });
  });

  it('skips a custom notification whose alert text is not JSON, saying where', () => {
    const message = sampleMessage();
    message.metadata.additionalContext.alert = '{not json';

    expect(readMessage('m-1', JSON.stringify(message))).toEqual({
      id: 'm-1',
      skipped: 'not a Warden alert: metadata.additionalContext.alert: is not JSON',
    });
  });

  it('skips a custom notification whose alert misses a field, saying which', () => {
    const message = sampleMessage();
    const { eventId: _, ...alert } = sampleAlert();
    message.metadata.additionalContext.alert = JSON.stringify(alert);

    const record = readMessage('m-1', JSON.stringify(message));

    expect(record).toMatchObject({
      skipped: expect.stringContaining('metadata.additionalContext.alert.eventId'),
    });
  });

  it('reads a CloudWatch alarm state change', () => {
    const record = readMessage('m-2', JSON.stringify(sampleAlarmMessage()));

    expect(record).toMatchObject({ id: 'm-2', alarm: { state: 'ALARM', region: 'us-east-1' } });
  });

  it('skips an SNS console test message', () => {
    expect(readMessage('m-3', 'Test message sent from the SNS console')).toEqual({
      id: 'm-3',
      skipped: 'the message is not JSON',
    });
  });

  it('skips JSON that is neither an alert nor an alarm', () => {
    expect(readMessage('m-4', JSON.stringify({ hello: 'world' }))).toEqual({
      id: 'm-4',
      skipped: 'not a Warden alert (no custom-notification body) nor a CloudWatch alarm',
    });
  });
});

describe('readSqsBody', () => {
  it('reads an alarm inside an SNS envelope (raw delivery off)', () => {
    const record = readSqsBody('q-1', snsEnvelopeOf(JSON.stringify(sampleAlarmMessage())));

    expect(record).toMatchObject({ id: 'q-1', alarm: { name: expect.stringContaining('DepthAlarm') } });
  });
});
