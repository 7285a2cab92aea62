import type * as events from 'aws-cdk-lib/aws-events';

/**
 * CloudTrail event names that make s3-guard re-check a bucket. CloudTrail names, not SDK names:
 * a rule on `PutPublicAccessBlock` never fires. Later controls append their names here.
 */
export const S3_GUARD_EVENT_NAMES = [
  'CreateBucket',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
] as const;

export interface CloudTrailPatternProps {
  /** EventBridge `source`, e.g. `aws.s3`. */
  readonly source: string;
  /** CloudTrail `eventSource`, e.g. `s3.amazonaws.com`. */
  readonly eventSource: string;
  readonly eventNames: readonly string[];
  /** Role ARNs whose calls are Warden's own remediations; their events must not re-trigger Warden. */
  readonly ignoredRoleArns: readonly string[];
}

/**
 * Successful API calls recorded by CloudTrail, except those made by Warden's own roles.
 *
 * `anything-but` only matches when the field is present, so on its own it would drop every call
 * without a session issuer (Root, IAMUser, AWSService): exactly the callers Warden must see.
 * The `$or` keeps those through `exists: false`.
 */
export function cloudTrailApiCallPattern(props: CloudTrailPatternProps): events.EventPattern {
  const issuerArn = (matcher: Record<string, unknown>) => ({
    userIdentity: { sessionContext: { sessionIssuer: { arn: [matcher] } } },
  });
  return {
    source: [props.source],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: [props.eventSource],
      eventName: [...props.eventNames],
      // Failed calls are delivered too; they changed nothing.
      errorCode: [{ exists: false }],
      $or: [issuerArn({ exists: false }), issuerArn({ 'anything-but': [...props.ignoredRoleArns] })],
    },
  };
}
