import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalModeError } from './local-mode-error.ts';
import { PROJECT_ROOT } from './paths.ts';

export type SampleEvent = Record<string, unknown> & { detail: Record<string, unknown> };

/** A fresh copy of a sample event from `events/` (e.g. `s3/create-bucket.json`). */
export function loadSampleEvent(relativePath: string): SampleEvent {
  const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', relativePath), 'utf8')) as unknown;
  const detail = (event as { detail?: unknown } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) {
    throw new LocalModeError(`events/${relativePath} has no detail object`);
  }
  return event as SampleEvent;
}

export interface Retarget {
  readonly bucket: string;
  readonly accountId: string;
  /** A new eventID (default): the idempotency store would otherwise skip a replayed sample. */
  readonly freshEventId?: boolean;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

const replaceInStrings = (value: unknown, from: string, to: string) =>
  mapStrings(value, (text) => text.replaceAll(from, to));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The sample event as if the call had been made on `bucket` in `accountId`: the bucket name
 * (and the Host headers and bucket ARNs derived from it) and the account id (in ARNs too) are replaced.
 */
export function retargetEvent(
  template: SampleEvent,
  { bucket, accountId, freshEventId = true }: Retarget,
): SampleEvent {
  const request = template.detail.requestParameters as { bucketName?: unknown } | null | undefined;
  const templateBucket = typeof request?.bucketName === 'string' ? request.bucketName : undefined;
  const templateAccount = typeof template.account === 'string' ? template.account : undefined;
  let event = structuredClone(template);
  if (templateAccount) event = replaceInStrings(event, templateAccount, accountId) as SampleEvent;
  if (templateBucket) {
    event = replaceInStrings(event, `${templateBucket}.s3.`, `${bucket}.s3.`) as SampleEvent;
    // Bucket ARNs in a policy document: the bucket itself and its objects.
    const bucketArn = new RegExp(`^arn:aws:s3:::${escapeRegExp(templateBucket)}(?=/|$)`);
    event = mapStrings(event, (text) => text.replace(bucketArn, `arn:aws:s3:::${bucket}`)) as SampleEvent;
    (event.detail.requestParameters as { bucketName: string }).bucketName = bucket;
  }
  if (freshEventId) {
    event.id = randomUUID();
    event.detail.eventID = randomUUID();
  }
  return event;
}
