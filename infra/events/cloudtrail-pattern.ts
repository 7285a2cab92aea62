import type * as events from 'aws-cdk-lib/aws-events';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS, type RootEventKind } from '#shared/root/root-event-patterns.ts';

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

/**
 * The one s3-guard pattern: the hub rule and every regional forwarder use it, so a region forwards
 * exactly what the hub would handle. Event names come from the control registry.
 */
export function s3GuardPattern(ignoredRoleArns: readonly string[]): events.EventPattern {
  return cloudTrailApiCallPattern({
    source: 'aws.s3',
    eventSource: 's3.amazonaws.com',
    eventNames: S3_GUARD_EVENT_NAMES,
    ignoredRoleArns,
  });
}

/** root-guard's patterns (shared/root/root-event-patterns.ts) as CDK event patterns. */
export function rootGuardPattern(kind: RootEventKind): events.EventPattern {
  const { source, 'detail-type': detailType, detail } = ROOT_GUARD_EVENT_PATTERNS[kind];
  return {
    source: [...source],
    detailType: [...detailType],
    detail: JSON.parse(JSON.stringify(detail)) as Record<string, unknown>,
  };
}
