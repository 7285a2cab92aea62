import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { callAws } from '#shared/errors/errors.ts';
import { EMPTY_TALLY, limitFindings, mergeTallies, type SweepTally } from './tally.ts';

/**
 * The book of one scheduled sweep, kept in the audit table: how many work items are still pending (so the
 * worker that finishes the last one sends the digest) and each finished item's tally. Every change is
 * conditional on the item's own marker, so a redelivered message never counts twice.
 */
export interface SweepLedger {
  start(sweep: SweepStart, pending: number): Promise<void>;
  /** An item enqueued `count` more items (done before they are sent, so the count never reaches 0 early). */
  spawned(sweepId: string, itemKey: string, count: number): Promise<void>;
  /** An item is finished; returns what is left of the sweep. */
  done(sweepId: string, itemKey: string, tally: SweepTally): Promise<SweepState>;
  /** Every finished item's tally, merged (findings bounded). */
  tally(sweepId: string): Promise<SweepTally>;
  /** Claims the digest; false when another worker sent it already. */
  claimDigest(sweepId: string, at: string): Promise<boolean>;
  /** Gives the claim back (the digest could not be published): a retry claims it again. */
  releaseDigest(sweepId: string): Promise<void>;
}

export interface SweepStart {
  readonly sweepId: string;
  readonly startedAt: string;
  /** The hub's account and region (the digest's). */
  readonly accountId: string;
  readonly region: string;
  /** What the sweep covers: each account and its regions (the history is recorded per account-region). */
  readonly accounts: readonly { readonly accountId: string; readonly regions: readonly string[] }[];
}

export interface SweepState extends SweepStart {
  readonly pending: number;
  readonly digestSentAt?: string;
}

/** Findings kept per finished item besides every CRITICAL one: the digest names at most 20 anyway. */
const FINDINGS_PER_ITEM = 20;
const ERRORS_PER_ITEM = 20;
/** Sweep books are kept 30 days. */
const TTL_SECONDS = 30 * 24 * 3600;

const pk = (sweepId: string) => `SWEEP#${sweepId}`;
const SUMMARY = 'SUMMARY';
const isConditionFailure = (error: unknown) =>
  ['TransactionCanceledException', 'ConditionalCheckFailedException'].includes(
    (error as { name?: string } | null)?.name ?? '',
  );

/** A tally small enough for one item: counts in full, findings bounded and without state dumps. */
export function storedTally(tally: SweepTally): SweepTally {
  return {
    ...tally,
    findings: limitFindings(tally.findings, FINDINGS_PER_ITEM).map(({ accountId, region, outcome }) => {
      const { before: _before, after: _after, ...rest } = outcome;
      return { accountId, region, outcome: rest };
    }),
    errors: tally.errors.slice(0, ERRORS_PER_ITEM),
  };
}

export function dynamoSweepLedger(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  now: () => Date = () => new Date(),
): SweepLedger {
  const expiresAt = () => Math.floor(now().getTime() / 1000) + TTL_SECONDS;
  /** A marker put and a counter change in one transaction; a marker already there means it was done. */
  async function once(sweepId: string, marker: string, change: number, extra: Record<string, unknown>) {
    try {
      await documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { pk: pk(sweepId), sk: marker, ...extra, expiresAt: expiresAt() },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: { pk: pk(sweepId), sk: SUMMARY },
                UpdateExpression: 'ADD pending :change',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':change': change },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function state(sweepId: string): Promise<SweepState> {
    const { Item } = await callAws(`reading sweep ${sweepId}`, () =>
      documents.send(
        new GetCommand({ TableName: tableName, Key: { pk: pk(sweepId), sk: SUMMARY }, ConsistentRead: true }),
      ),
    );
    if (!Item) throw new Error(`sweep ${sweepId} has no ledger (it was never started or has expired)`);
    return Item as SweepState;
  }

  return {
    async start(sweep, pending) {
      await callAws(`starting sweep ${sweep.sweepId}`, () =>
        documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: pk(sweep.sweepId), sk: SUMMARY, ...sweep, pending, expiresAt: expiresAt() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
    async spawned(sweepId, itemKey, count) {
      if (count === 0) return;
      await callAws(`counting the items of sweep ${sweepId}`, () =>
        once(sweepId, `SPAWNED#${itemKey}`, count, {}),
      );
    },
    async done(sweepId, itemKey, tally) {
      await callAws(`recording an item of sweep ${sweepId}`, () =>
        once(sweepId, `DONE#${itemKey}`, -1, { tally: storedTally(tally) }),
      );
      return state(sweepId);
    },
    async tally(sweepId) {
      let merged = EMPTY_TALLY;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await callAws(`reading the tallies of sweep ${sweepId}`, () =>
          documents.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :done)',
              ExpressionAttributeValues: { ':pk': pk(sweepId), ':done': 'DONE#' },
              ConsistentRead: true,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) merged = mergeTallies(merged, item.tally as SweepTally);
        merged = { ...merged, findings: limitFindings(merged.findings, FINDINGS_PER_ITEM) };
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return merged;
    },
    async releaseDigest(sweepId) {
      await callAws(`releasing the digest of sweep ${sweepId}`, () =>
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(sweepId), sk: SUMMARY },
            UpdateExpression: 'REMOVE digestSentAt',
          }),
        ),
      );
    },
    async claimDigest(sweepId, at) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(sweepId), sk: SUMMARY },
            UpdateExpression: 'SET digestSentAt = :at',
            ConditionExpression: 'attribute_not_exists(digestSentAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
