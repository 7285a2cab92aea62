import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ACTION_PREFIX, type AuditRecord } from '#shared/audit/audit-log.ts';
import { callAws } from '#shared/errors/errors.ts';

export interface AuditQueryDeps {
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
}

export interface AuditListOptions {
  /** Only this bucket's records (one Query); otherwise the whole table, scanned within a bound. */
  readonly bucket?: string;
  /** At most this many records, newest first; every record when absent. */
  readonly limit?: number;
  /** Only records at or after this time (ISO-8601 as `normaliseSince` gives it). */
  readonly since?: string;
}

export interface AuditListing {
  /** Newest first. */
  readonly records: readonly AuditRecord[];
  /** False when the scan stopped at its bound before reading the whole table: older records may be missing. */
  readonly complete: boolean;
}

/** A scan reads at most this many items, so `warden audit list` stays quick and cheap on a large table. */
export const MAX_SCANNED_ITEMS = 5_000;
const SCAN_PAGE_SIZE = 500;

function toRecord(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...record } = item;
  return record as unknown as AuditRecord;
}

/** An ISO-8601 time as audit records store theirs (`2026-11-20T10:00:00.000Z`), or undefined when it is not one. */
export function normaliseSince(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

const newestFirst = (a: AuditRecord, b: AuditRecord) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0);

/** Recent audit records, newest first: one bucket's (Query on its partition) or the table's (bounded Scan). */
export async function listAuditRecords(
  deps: AuditQueryDeps,
  options: AuditListOptions,
): Promise<AuditListing> {
  const limit = options.limit === undefined ? undefined : Math.max(1, Math.floor(options.limit));
  // sk = ACTION#<ISO time>#<id>: records since a time are the sort keys from ACTION#<time> on ('~' sorts last).
  const since = options.since === undefined ? undefined : `${ACTION_PREFIX}${options.since}`;
  if (options.bucket !== undefined) {
    const bucket = options.bucket;
    const { Items = [] } = await callAws(`listing the audit records of ${bucket}`, () =>
      deps.documents.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: since
            ? 'pk = :pk AND sk BETWEEN :since AND :end'
            : 'pk = :pk AND begins_with(sk, :action)',
          ExpressionAttributeValues: {
            ':pk': `RESOURCE#${bucket}`,
            ...(since ? { ':since': since, ':end': `${ACTION_PREFIX}~` } : { ':action': ACTION_PREFIX }),
          },
          // Descending order is newest first.
          ScanIndexForward: false,
          ...(limit ? { Limit: limit } : {}),
        }),
      ),
    );
    return { records: Items.map(toRecord), complete: true };
  }
  const records: AuditRecord[] = [];
  let scanned = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await callAws('listing audit records', () =>
      deps.documents.send(
        new ScanCommand({
          TableName: deps.tableName,
          FilterExpression: since ? 'begins_with(sk, :action) AND sk >= :since' : 'begins_with(sk, :action)',
          ExpressionAttributeValues: { ':action': ACTION_PREFIX, ...(since ? { ':since': since } : {}) },
          Limit: Math.min(SCAN_PAGE_SIZE, MAX_SCANNED_ITEMS - scanned),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    records.push(...(page.Items ?? []).map(toRecord));
    scanned += page.ScannedCount ?? page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey && scanned < MAX_SCANNED_ITEMS);
  return { records: records.sort(newestFirst).slice(0, limit), complete: startKey === undefined };
}

/** The record with this action id, searched page by page (action ids do not name their partition). */
export async function findAuditRecord(
  deps: AuditQueryDeps,
  actionId: string,
): Promise<AuditRecord | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await callAws(`looking up audit record ${actionId}`, () =>
      deps.documents.send(
        new ScanCommand({
          TableName: deps.tableName,
          FilterExpression: 'actionId = :id AND begins_with(sk, :action)',
          ExpressionAttributeValues: { ':id': actionId, ':action': ACTION_PREFIX },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    const found = page.Items?.[0];
    if (found) return toRecord(found);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
