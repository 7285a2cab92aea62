import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  classifyError,
  ResourceGoneError,
  RetryableAwsError,
  TerminalAwsError,
} from '#shared/errors/errors.ts';

const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} });

describe('classifyError', () => {
  it.each([
    ['SlowDown', 503, RetryableAwsError],
    ['ThrottlingException', 400, RetryableAwsError],
    ['InternalError', 500, RetryableAwsError],
    ['SomethingNew', 502, RetryableAwsError],
    ['TimeoutError', undefined, RetryableAwsError],
    ['NoSuchBucket', 404, ResourceGoneError],
    ['AccessDenied', 403, AccessDeniedError],
    ['MalformedXML', 400, TerminalAwsError],
  ])('maps %s (%s) to %O', (name, status, type) => {
    expect(classifyError(awsError(name, status), 'testing')).toBeInstanceOf(type);
  });

  it('maps network errors by code', () => {
    expect(
      classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x').retryable,
    ).toBe(true);
  });

  it('says what Warden was doing', () => {
    expect(classifyError(awsError('AccessDenied', 403), 'PutBucketEncryption on bucket b').message).toBe(
      'PutBucketEncryption on bucket b: AccessDenied',
    );
  });
});
