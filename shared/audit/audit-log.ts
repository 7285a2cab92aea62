import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import { callAws } from '#shared/errors/errors.ts';

/** One action (or decision not to act) by Warden, with the state before and after. */
export interface AuditRecord {
  readonly actionId: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly time: string;
  readonly actor: string;
  readonly accountId: string;
  readonly region: string;
  readonly resourceType: string;
  readonly resource: string;
  readonly outcome: ControlOutcome;
  /** Set on the record of an undo: the action id it reverted (`warden undo`). */
  readonly undoOf?: string;
  /** Set on the record of a fight (shared/guard/fight.ts): another actor keeps re-applying what Warden repairs. */
  readonly fight?: AuditedFight;
}

/** A fight as the audit trail keeps it: started or reported again, how often, by whom, what Warden does now. */
export interface AuditedFight {
  readonly kind: 'started' | 'reported';
  readonly repairs: number;
  readonly minutes: number;
  /** "<principal> (<user agent>): <repairs>", most active first. */
  readonly opponents: readonly string[];
  /** "paused until <time>" or "repairing silently". */
  readonly next: string;
}

export interface AuditLog {
  record(records: readonly AuditRecord[]): Promise<void>;
}

/** Audit records are kept for 400 days (the TTL attribute `expiresAt`), past a yearly review. */
const RETENTION_SECONDS = 400 * 24 * 3600;

/** Sort-key prefix of audit records; a resource's partition also holds its baseline and journal items. */
export const ACTION_PREFIX = 'ACTION#';

export const auditKeys = (record: Pick<AuditRecord, 'resource' | 'time' | 'actionId'>) => ({
  pk: `RESOURCE#${record.resource}`,
  sk: `${ACTION_PREFIX}${record.time}#${record.actionId}`,
});

export function dynamoAuditLog(documents: Pick<DynamoDBDocumentClient, 'send'>, tableName: string): AuditLog {
  return {
    async record(records) {
      await Promise.all(
        records.map((record) =>
          callAws(`recording audit entry ${record.actionId}`, () =>
            documents.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  ...auditKeys(record),
                  ...record,
                  expiresAt: Math.floor(Date.parse(record.time) / 1000) + RETENTION_SECONDS,
                },
              }),
            ),
          ),
        ),
      );
    },
  };
}
