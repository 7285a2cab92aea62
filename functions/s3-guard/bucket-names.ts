import type { ApiCall } from '#shared/events/normalise.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { type BucketLocation, matchesBucketGlob } from '#shared/s3/bucket-glob.ts';

/**
 * Exempt buckets are never touched and never alerted on. `{account}` and `{region}` in a pattern stand for
 * the account and region of the call, so `cdk-hnb659fds-assets-{account}-{region}` names this account's
 * bootstrap bucket and no bucket anyone else may create.
 */
export function isExemptBucket(bucket: string, policy: Policy, location: BucketLocation): boolean {
  return policy.s3.exemptBuckets.some((pattern) => matchesBucketGlob(bucket, pattern, location));
}

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
