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

function replaceInStrings(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.replaceAll(from, to);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, from, to));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceInStrings(item, from, to)]),
    );
  }
  return value;
}

/**
 * The sample event as if the call had been made on `bucket` in `accountId`: the bucket name
 * (and the Host headers derived from it) and the account id (in ARNs too) are replaced.
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
    (event.detail.requestParameters as { bucketName: string }).bucketName = bucket;
  }
  if (freshEventId) {
    event.id = randomUUID();
    event.detail.eventID = randomUUID();
  }
  return event;
}
