import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ControlId } from '#shared/contracts/controls.ts';
import { callAws } from '#shared/errors/errors.ts';

/**
 * What one event's remediation is about to write, stored next to the resource's audit records while
 * the fixes run. When a later step fails (the read-back, the audit write) Lambda retries the event; by
 * then the fix has landed and the resource reads as compliant. The journal lets the retry report the
 * repair it finishes (REMEDIATED, with the original "before") instead of a false "already compliant"
 * with no alert and no audit record.
 */
export interface JournalEntry {
  readonly before: unknown;
  /** The finding's summary. */
  readonly reason: string;
  readonly actions: readonly string[];
}

export type PendingFixes = Readonly<Partial<Record<ControlId, JournalEntry>>>;

export interface RemediationJournal {
  /** The fixes an earlier attempt at this event started, if any. */
  read(resource: string, eventId: string): Promise<PendingFixes | undefined>;
  write(resource: string, eventId: string, fixes: PendingFixes): Promise<void>;
}

/** As long as the idempotency record of the event: past it, a redelivery is a new event. */
const JOURNAL_TTL_SECONDS = 24 * 3600;

const journalKeys = (resource: string, eventId: string) => ({
  pk: `RESOURCE#${resource}`,
  sk: `PENDING#${eventId}`,
});

export function dynamoRemediationJournal(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  now: () => Date,
): RemediationJournal {
  const epochSeconds = () => Math.floor(now().getTime() / 1000);
  return {
    async read(resource, eventId) {
      const { Item } = await callAws(`reading the remediation journal of ${resource}`, () =>
        documents.send(
          new GetCommand({ TableName: tableName, Key: journalKeys(resource, eventId), ConsistentRead: true }),
        ),
      );
      // DynamoDB deletes expired items lazily, up to days later: an expired entry is no longer true.
      if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= epochSeconds()) return undefined;
      return Item.fixes as PendingFixes;
    },
    async write(resource, eventId, fixes) {
      await callAws(`writing the remediation journal of ${resource}`, () =>
        documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...journalKeys(resource, eventId),
              fixes,
              expiresAt: epochSeconds() + JOURNAL_TTL_SECONDS,
            },
          }),
        ),
      );
    },
  };
}
