import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';

/** Makes a step run at most once per CloudTrail event id; a repeat returns the stored result. */
export type OnceWrapper = <Input extends { readonly eventId: string }, Output>(
  step: string,
  fn: (input: Input) => Promise<Output>,
) => (input: Input) => Promise<Output>;

/** A OnceWrapper that must learn each invocation's Lambda context (see registerLambdaContext). */
export type LambdaOnceWrapper = OnceWrapper & {
  /**
   * Lets an in-progress record expire when the invocation times out, so Lambda's retry of a
   * timed-out event is processed instead of being refused as "already in progress" until the TTL.
   */
  registerLambdaContext(context: Context): void;
};

/** CloudTrail may redeliver an event hours later; one day covers that and the Lambda retries. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * Powertools Idempotency on DynamoDB. Each step gets its own persistence layer and key prefix,
 * so "remediated" and "alerted" are tracked apart: a failed alert is retried without repairing twice.
 */
export function dynamoOnce(
  client: DynamoDBClient,
  tableName: string,
  functionName: string,
): LambdaOnceWrapper {
  const configs: IdempotencyConfig[] = [];
  const once: OnceWrapper = (step, fn) => {
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'eventId',
      expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    });
    configs.push(config);
    return makeIdempotent(fn, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config,
      keyPrefix: `${functionName}.${step}`,
    });
  };
  return Object.assign(once, {
    registerLambdaContext(context: Context) {
      for (const config of configs) config.registerLambdaContext(context);
    },
  });
}

/**
 * True when a step refused to run because another invocation is running it for the same event now
 * (a simultaneous duplicate delivery). That invocation owns the event, and Lambda retries it if it
 * fails, so the duplicate has nothing to do: not an error. The name is checked too, so a copy of the
 * class from another bundle is recognised.
 */
export function isDuplicateInProgress(error: unknown): boolean {
  return (
    error instanceof IdempotencyAlreadyInProgressError ||
    (error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError')
  );
}

/** For unit tests and single-shot runs: no deduplication. */
export const runEveryTime: OnceWrapper = (_step, fn) => fn;
