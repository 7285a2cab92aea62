import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Makes a step run at most once per CloudTrail event id; a repeat returns the stored result. */
export type OnceWrapper = <Input extends { readonly eventId: string }, Output>(
  step: string,
  fn: (input: Input) => Promise<Output>,
) => (input: Input) => Promise<Output>;

/** CloudTrail may redeliver an event hours later; one day covers that and the Lambda retries. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * Powertools Idempotency on DynamoDB. Each step gets its own persistence layer and key prefix,
 * so "remediated" and "alerted" are tracked apart: a failed alert is retried without repairing twice.
 */
export function dynamoOnce(client: DynamoDBClient, tableName: string, functionName: string): OnceWrapper {
  return (step, fn) =>
    makeIdempotent(fn, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'eventId',
        expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
      }),
      keyPrefix: `${functionName}.${step}`,
    });
}

/** For unit tests and single-shot runs: no deduplication. */
export const runEveryTime: OnceWrapper = (_step, fn) => fn;
