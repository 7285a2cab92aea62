import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws, RetryableAwsError } from '#shared/errors/errors.ts';

/** Whose fight: one resource of one account in one region (bucket names are reused elsewhere). */
export interface FightKey {
  readonly accountId: string;
  readonly region: string;
  readonly resource: string;
}

/** `State` is the guard's (shared/guard/fight.ts): this adapter stores it as it is, without judging it. */
export interface FightStore<State extends object> {
  read(key: FightKey): Promise<State>;
  /**
   * Read, change, write, race-safe: when another invocation wrote the resource's state in between, the
   * change runs again on what it wrote. Returns the result of the change that was stored.
   */
  update<T>(
    key: FightKey,
    change: (state: State) => { readonly state: State; readonly result: T; readonly expiresAt: number },
  ): Promise<T>;
}

/**
 * Fight state is short-lived bookkeeping like the idempotency records, so it lives in that table (the
 * guards can already read and write it; its TTL attribute is `expiration`), one item per resource.
 */
export const fightItemId = (key: FightKey) => `warden.fight#${key.accountId}#${key.region}#${key.resource}`;

/** Concurrent repairs of one resource are rare and brief: a few rounds settle them. */
const MAX_ATTEMPTS = 5;

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export function dynamoFightStore<State extends object>(
  documents: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  now: () => Date,
): FightStore<State> {
  async function readItem(key: FightKey): Promise<{ state: State; version: number }> {
    const { Item } = await callAws(`reading the fight state of ${key.resource}`, () =>
      documents.send(
        new GetCommand({ TableName: tableName, Key: { id: fightItemId(key) }, ConsistentRead: true }),
      ),
    );
    // DynamoDB deletes expired items lazily: an expired state is forgotten, but its version still counts.
    const version = typeof Item?.version === 'number' ? Item.version : 0;
    const live = typeof Item?.expiration === 'number' && Item.expiration > now().getTime() / 1000;
    const state = live && typeof Item?.state === 'string' ? (JSON.parse(Item.state) as State) : ({} as State);
    return { state, version };
  }

  return {
    read: async (key) => (await readItem(key)).state,
    async update(key, change) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const { state, version } = await readItem(key);
        const changed = change(state);
        try {
          await documents.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                id: fightItemId(key),
                // A JSON string: control ids and optional fields stay as they are, whatever DynamoDB's map rules.
                state: JSON.stringify(changed.state),
                version: version + 1,
                expiration: changed.expiresAt,
              },
              ConditionExpression: 'attribute_not_exists(id) OR version = :version',
              ExpressionAttributeValues: { ':version': version },
            }),
          );
          return changed.result;
        } catch (error) {
          if (!isConditionFailure(error))
            await callAws(`recording the fight state of ${key.resource}`, () => Promise.reject(error));
        }
      }
      throw new RetryableAwsError(
        `recording the fight state of ${key.resource}: ${MAX_ATTEMPTS} concurrent writes in a row, retrying later`,
      );
    },
  };
}
