/**
 * Warden's typed errors. Every failure is either retryable (thrown so Lambda retries the event)
 * or terminal (recorded and alerted, never retried in a loop). `classifyError` is the one mapper.
 */
export abstract class WardenError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Throttling, 5xx, timeouts: the same event will probably succeed later. */
export class RetryableAwsError extends WardenError {
  readonly retryable = true;
}

/** The input can never be processed as it is (schema failure, unknown shape). */
export class InvalidEventError extends WardenError {
  readonly retryable = false;
}

/** The configuration or policy file is invalid; raised at cold start or synth. */
export class ConfigError extends WardenError {
  readonly retryable = false;
}

/** The resource disappeared between the API call and our reaction. */
export class ResourceGoneError extends WardenError {
  readonly retryable = false;
}

/** AWS refused the call: an SCP, a permission boundary, or an Organizations policy. */
export class AccessDeniedError extends WardenError {
  readonly retryable = false;
}

/** A remediation cannot be done safely (e.g. Warden's KMS key is disabled or pending deletion). */
export class UnsafeRemediationError extends WardenError {
  readonly retryable = false;
}

/** Any other AWS error that will not go away by retrying (validation, invalid request). */
export class TerminalAwsError extends WardenError {
  readonly retryable = false;
}

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'KMSInternalException',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const GONE_CODES = new Set(['NoSuchBucket', 'NoSuchEntity', 'NotFoundException']);
const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AllAccessDisabled',
  'UnauthorizedOperation',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Maps any thrown value to a WardenError. `context` says what Warden was doing, for the message. */
export function classifyError(error: unknown, context: string): WardenError {
  if (error instanceof WardenError) return error;
  const err = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const name = err.name ?? err.code ?? 'UnknownError';
  const status = err.$metadata?.httpStatusCode;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${context}: ${name}${detail && detail !== name ? ` (${detail})` : ''}`;
  if (GONE_CODES.has(name)) return new ResourceGoneError(message, { cause: error });
  if (DENIED_CODES.has(name) || status === 403) return new AccessDeniedError(message, { cause: error });
  if (
    RETRYABLE_CODES.has(name) ||
    NETWORK_CODES.has(err.code ?? '') ||
    NETWORK_CODES.has(name) ||
    err.$retryable !== undefined ||
    (status !== undefined && status >= 500)
  ) {
    return new RetryableAwsError(message, { cause: error });
  }
  return new TerminalAwsError(message, { cause: error });
}

/** Runs an AWS call and rethrows failures as classified WardenErrors. */
export async function callAws<T>(context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyError(error, context);
  }
}
