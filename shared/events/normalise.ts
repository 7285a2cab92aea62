import type { CloudTrailEvent, UserIdentity } from './cloudtrail-schema.ts';

/** Who made the call, reduced to what Warden decides on and shows people. */
export interface Actor {
  readonly type: string;
  /** The IAM identity ARN (for an assumed role: the role ARN, not the session ARN). */
  readonly principalArn?: string;
  /** The exact caller ARN as CloudTrail recorded it (session ARN for assumed roles). */
  readonly arn?: string;
  readonly accountId?: string;
  readonly invokedBy?: string;
}

/** One API call in Warden's internal shape, whatever CloudTrail encoding it arrived in. */
export interface ApiCall {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly region: string;
  /** The account the call was made in (where the resource lives). */
  readonly accountId: string;
  readonly actor: Actor;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Readonly<Record<string, unknown>>;
  readonly responseElements: Readonly<Record<string, unknown>>;
  readonly additionalEventData: Readonly<Record<string, unknown>>;
}

const ASSUMED_ROLE_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/** For an assumed role, the role ARN; otherwise the identity ARN. */
export function principalArnOf(identity: UserIdentity): string | undefined {
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  if (issuer) return issuer;
  const match = identity.arn ? ASSUMED_ROLE_ARN.exec(identity.arn) : null;
  if (match) return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
  return identity.arn;
}

/**
 * Older CloudTrail S3 records wrap scalar values in one-element arrays (`"host": ["b.s3..."]`,
 * `"x-amz-acl": ["private"]`); newer ones use plain strings. Unwrap scalars only: a one-element
 * list of objects (a single `Grant`) keeps its list shape so readers handle one shape.
 */
export function unwrapSingletons(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 1 && (value[0] === null || typeof value[0] !== 'object')) return value[0];
    return value.map(unwrapSingletons);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // `Host` (new) and `host` (old) are the same header.
      out[key === 'Host' ? 'host' : key] = unwrapSingletons(item);
    }
    return out;
  }
  return value;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

export function normaliseApiCall(event: CloudTrailEvent): ApiCall {
  const detail = event.detail;
  const identity = detail.userIdentity;
  return {
    eventId: detail.eventID,
    eventName: detail.eventName,
    eventSource: detail.eventSource,
    eventTime: detail.eventTime,
    region: detail.awsRegion,
    accountId: detail.recipientAccountId ?? event.account,
    actor: {
      type: identity.type,
      principalArn: principalArnOf(identity),
      arn: identity.arn,
      accountId: identity.accountId,
      invokedBy: identity.invokedBy,
    },
    sourceIp: detail.sourceIPAddress,
    userAgent: detail.userAgent,
    errorCode: detail.errorCode,
    errorMessage: detail.errorMessage,
    requestParameters: asRecord(unwrapSingletons(detail.requestParameters)),
    responseElements: asRecord(unwrapSingletons(detail.responseElements)),
    additionalEventData: asRecord(unwrapSingletons(detail.additionalEventData)),
  };
}
