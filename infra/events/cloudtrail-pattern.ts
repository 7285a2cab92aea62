import type * as events from 'aws-cdk-lib/aws-events';
import { S3_ACCOUNT_EVENT_NAMES, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS, type RootEventKind } from '#shared/events/root-event-patterns.ts';

export interface CloudTrailPatternProps {
  /** EventBridge `source`, e.g. `aws.s3`. */
  readonly source: string;
  /** CloudTrail `eventSource`, e.g. `s3.amazonaws.com`. */
  readonly eventSource: string;
  readonly eventNames: readonly string[];
  /** Exact session ARNs (`userIdentity.arn`) of Warden's own calls: their events must not re-trigger Warden. */
  readonly ownSessionArns: readonly string[];
  /**
   * Session ARN prefixes of Warden's own calls, for sessions named per event (the member role's
   * `warden-<event id>`): `arn:<partition>:sts::<account>:assumed-role/<role>/warden-`.
   */
  readonly ownSessionArnPrefixes?: readonly string[];
}

/** A wildcard-pattern literal: `*` and `\` are the only characters with a meaning there. */
const wildcardLiteral = (value: string) => value.replace(/[\\*]/g, (char) => `\\${char}`);

/**
 * Successful API calls recorded by CloudTrail, except those made by Warden's own sessions.
 *
 * By session (`userIdentity.arn`), not by role: another session of Warden's role (a function of
 * someone allowed to pass the role) is not Warden. Exact ARNs with `anything-but`; with prefixes too,
 * one `anything-but` `wildcard` list, since one field takes one `anything-but`.
 * `anything-but` only matches when the field is present, so on its own it would drop every call
 * without an ARN (AWSService callers): the `$or` keeps those through `exists: false`.
 */
export function cloudTrailApiCallPattern(props: CloudTrailPatternProps): events.EventPattern {
  const callerArn = (matcher: Record<string, unknown>) => ({ userIdentity: { arn: [matcher] } });
  const prefixes = props.ownSessionArnPrefixes ?? [];
  const notOwn =
    prefixes.length === 0
      ? { 'anything-but': [...props.ownSessionArns] }
      : {
          'anything-but': {
            wildcard: [
              ...props.ownSessionArns.map(wildcardLiteral),
              ...prefixes.map((prefix) => `${wildcardLiteral(prefix)}*`),
            ],
          },
        };
  return {
    source: [props.source],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: [props.eventSource],
      eventName: [...props.eventNames],
      // Failed calls are delivered too; they changed nothing.
      errorCode: [{ exists: false }],
      $or: [callerArn({ exists: false }), callerArn(notOwn)],
    },
  };
}

/**
 * The one s3-guard pattern: the hub rule and every regional forwarder use it, so a region forwards
 * exactly what the hub would handle. Event names come from the control registry.
 */
export function s3GuardPattern(ownSessionArns: readonly string[]): events.EventPattern {
  return cloudTrailApiCallPattern({
    source: 'aws.s3',
    eventSource: 's3.amazonaws.com',
    eventNames: S3_GUARD_EVENT_NAMES,
    ownSessionArns,
  });
}

/**
 * Only the account-level Block Public Access changes, for regions Warden does not watch: the setting
 * is account-wide, and CloudTrail records a change in the region of the S3 Control endpoint called.
 */
export function s3AccountLevelPattern(ownSessionArns: readonly string[]): events.EventPattern {
  return cloudTrailApiCallPattern({
    source: 'aws.s3',
    eventSource: 's3.amazonaws.com',
    eventNames: S3_ACCOUNT_EVENT_NAMES,
    ownSessionArns,
  });
}

/** root-guard's patterns (shared/events/root-event-patterns.ts) as CDK event patterns. */
export function rootGuardPattern(kind: RootEventKind): events.EventPattern {
  const { source, 'detail-type': detailType, detail } = ROOT_GUARD_EVENT_PATTERNS[kind];
  return {
    source: [...source],
    detailType: [...detailType],
    detail: JSON.parse(JSON.stringify(detail)) as Record<string, unknown>,
  };
}
