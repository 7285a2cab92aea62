import type { ApiCall } from '#shared/events/normalise.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { matchesBucketGlob } from '#shared/s3/bucket-glob.ts';

/**
 * Why an event needs no work, or undefined when it does. Pure; checked before any AWS call.
 * The EventBridge rule already filters failed calls and Warden's own roles: this is the second line.
 */
export function ignoreReason(
  call: ApiCall,
  handledEventNames: readonly string[],
  ownRoleArns: readonly string[],
): string | undefined {
  if (call.errorCode) return `the call failed (${call.errorCode}), so nothing changed`;
  if (!handledEventNames.includes(call.eventName))
    return `${call.eventName} is not an event this guard handles`;
  const principal = call.actor.principalArn;
  if (principal && ownRoleArns.includes(principal))
    return `the call was Warden's own remediation (${principal})`;
  return undefined;
}

/** Exempt buckets are never touched and never alerted on. */
export function isExemptBucket(bucket: string, policy: Policy): boolean {
  return policy.s3.exemptBuckets.some((pattern) => matchesBucketGlob(bucket, pattern));
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket is reliably in `requestParameters.bucketName`; the envelope `resources` is empty. */
export function bucketNameOf(call: ApiCall): string | undefined {
  const name = call.requestParameters.bucketName;
  return typeof name === 'string' && BUCKET_NAME.test(name) ? name : undefined;
}
