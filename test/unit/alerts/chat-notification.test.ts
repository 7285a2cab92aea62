import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { toChatNotification } from '#shared/alerts/chat-notification.ts';
import { readMessage } from '#shared/slack/inbound.ts';
import { alertWith, encryptionFixed, publicAccessDetected } from './helpers.ts';

/**
 * The custom-notification event schema of Amazon Q Developer in chat applications, as documented
 * (Admin Guide, "Custom notifications using Amazon Q Developer in chat applications", Event schema
 * and Parameter details). Strict: a field the schema does not list, or a value of another type,
 * makes Amazon Q drop the message without a word.
 */
const DocumentedCustomNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.optional(z.string()),
  content: z.strictObject({
    textType: z.optional(z.literal('client-markdown')),
    title: z.optional(z.string()),
    description: z.string(),
    nextSteps: z.optional(z.array(z.string())),
    keywords: z.optional(z.array(z.string())),
  }),
  metadata: z.optional(
    z.strictObject({
      threadId: z.optional(z.string()),
      summary: z.optional(z.string()),
      eventType: z.optional(z.string()),
      relatedResources: z.optional(z.array(z.string())),
      additionalContext: z.optional(z.record(z.string(), z.string())),
    }),
  ),
});

/** As SNS carries it: serialised, so only what survives JSON counts. */
const published = (notification: unknown) => JSON.parse(JSON.stringify(notification)) as unknown;

describe('toChatNotification', () => {
  it('builds a notification that follows the documented custom-notification schema', () => {
    const notification = published(toChatNotification(alertWith([encryptionFixed, publicAccessDetected])));

    const result = DocumentedCustomNotification.safeParse(notification);

    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('fills every field Amazon Q renders', () => {
    const notification = toChatNotification(alertWith());

    expect(notification).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: 'HIGH: Warden repaired example-bucket',
        description: expect.stringContaining('DeleteBucketEncryption on `example-bucket`'),
        nextSteps: expect.arrayContaining([expect.stringMatching(/^CloudTrail event: https:\/\//)]),
        keywords: ['HIGH', '123456789012', 'us-east-1', 's3-encryption-kms'],
      },
      metadata: {
        threadId: '123456789012/example-bucket',
        summary: 'Warden repaired example-bucket',
        eventType: 'DeleteBucketEncryption',
        relatedResources: ['example-bucket'],
      },
    });
  });

  it('carries the whole alert as JSON text in additionalContext, not as an object', () => {
    const alert = alertWith();

    const { additionalContext } = toChatNotification(alert).metadata;

    expect(typeof additionalContext.alert).toBe('string');
    expect(JSON.parse(additionalContext.alert)).toEqual(published(alert));
  });

  it("is read back into the same alert by notify-slack's inbound parser", () => {
    const alert = alertWith([encryptionFixed, publicAccessDetected]);

    const record = readMessage('m-1', JSON.stringify(toChatNotification(alert)));

    expect(record).toEqual({ id: 'm-1', alert: published(alert) });
  });
});
