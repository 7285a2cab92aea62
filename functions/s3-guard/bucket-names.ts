import type { ApiCall } from '#shared/events/normalise.ts';

/**
 * Every name S3 can return: 3 to 63 lower-case letters, digits, `.` and `-` today, but us-east-1 buckets
 * created before March 2018 may hold upper-case letters and `_` and be up to 255 characters long.
 * The name only identifies the bucket in later calls, so accepting the wider set is safe.
 */
const BUCKET_NAME = /^[A-Za-z0-9._-]{3,255}$/;

/** The bucket is reliably in `requestParameters.bucketName`; the envelope `resources` is empty. */
export function bucketNameOf(call: ApiCall): string | undefined {
  const name = call.requestParameters.bucketName;
  return typeof name === 'string' && BUCKET_NAME.test(name) ? name : undefined;
}
