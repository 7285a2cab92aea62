import { sameKey } from './conditions.ts';
import {
  normalisePolicy,
  type PolicyDocument,
  type PolicyStatement,
  serializePolicy,
} from './policy-document.ts';

/**
 * The third lock of a bucket (after KMS and Block Public Access): a bucket-policy Deny of every request
 * made without TLS (Security Hub S3.5, CIS). AWS's own example is the statement Warden writes:
 * `Deny` to `"*"` of `s3:*` on the bucket and its objects when `aws:SecureTransport` is `false`.
 */

/** The Sid of the statement Warden adds: stable, so a person (and Warden) recognises it. */
export const SECURE_TRANSPORT_SID = 'WardenDenyInsecureTransport';

/** S3 refuses a bucket policy over 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const POLICY_VERSION = '2012-10-17';

/** The ARN partition of a region: S3 ARNs in a bucket policy name the bucket's own partition. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The bucket's ARN and the ARN pattern of all its objects. */
export function bucketArns(
  bucket: string,
  region: string,
): { readonly bucket: string; readonly objects: string } {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return { bucket: arn, objects: `${arn}/*` };
}

/** IAM matches `Resource` with `*` (any run) and `?` (one character), case-sensitively. */
function resourcePatternCovers(pattern: string, arn: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(arn);
}

/**
 * Whether the statement denies every S3 action to everyone when the request is not over TLS: no other
 * condition may narrow it (conditions are ANDed), `Bool` or `BoolIfExists` (the key is always present)
 * with the value `false` (a string or a boolean in the JSON).
 */
function deniesPlainHttp(statement: PolicyStatement): boolean {
  if (statement.effect !== 'Deny' || statement.notPrincipals.length > 0 || statement.notActions.length > 0)
    return false;
  if (statement.notResources.length > 0) return false;
  if (!statement.principals.some((principal) => principal.type === 'AWS' && principal.id === '*'))
    return false;
  if (!statement.actions.some((action) => ['s3:*', '*'].includes(action.toLowerCase()))) return false;
  const [clause, ...others] = statement.conditions;
  return (
    clause !== undefined &&
    others.length === 0 &&
    clause.baseOperator === 'Bool' &&
    clause.setQualifier === undefined &&
    sameKey(clause.key, 'aws:SecureTransport') &&
    clause.values.some((value) => value.toLowerCase() === 'false')
  );
}

/** What the policy's TLS Deny statements cover: the bucket and its objects may be covered by two statements. */
export interface SecureTransportCoverage {
  readonly bucket: boolean;
  readonly objects: boolean;
  /** The statements that deny requests without TLS to the bucket or its objects. */
  readonly statements: readonly PolicyStatement[];
}

export function secureTransportCoverage(
  document: PolicyDocument | null,
  bucket: string,
  region: string,
): SecureTransportCoverage {
  const arns = bucketArns(bucket, region);
  const statements = (document?.statements ?? []).filter(deniesPlainHttp);
  const covers = (arn: string) =>
    statements.some((statement) =>
      statement.resources.some((pattern) => resourcePatternCovers(pattern, arn)),
    );
  return {
    bucket: covers(arns.bucket),
    // The literal object pattern: a statement on `bucket/logs/*` does not cover every object.
    objects: covers(arns.objects),
    statements: statements.filter((statement) =>
      statement.resources.some(
        (pattern) =>
          resourcePatternCovers(pattern, arns.bucket) || resourcePatternCovers(pattern, arns.objects),
      ),
    ),
  };
}

export const enforcesSecureTransport = (coverage: SecureTransportCoverage): boolean =>
  coverage.bucket && coverage.objects;

/** Warden's statement; the Sid gets a suffix when another statement holds it (S3 refuses repeated Sids). */
export function secureTransportStatement(
  bucket: string,
  region: string,
  takenSids: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  let sid = SECURE_TRANSPORT_SID;
  for (let suffix = 2; takenSids.has(sid); suffix += 1) sid = `${SECURE_TRANSPORT_SID}${suffix}`;
  const arns = bucketArns(bucket, region);
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arns.bucket, arns.objects],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** The policy with Warden's TLS Deny appended, every other statement as received, and its size. */
export interface SecureTransportMerge {
  readonly policy: string;
  readonly bytes: number;
  readonly sid: string;
  /** Statements kept as they were. */
  readonly kept: number;
}

/** Appends the TLS Deny to the document (a new policy when `document` is null). */
export function withSecureTransportDeny(
  document: PolicyDocument | null,
  bucket: string,
  region: string,
): SecureTransportMerge {
  const base: PolicyDocument = document ?? { version: POLICY_VERSION, statements: [] };
  const taken = new Set(base.statements.flatMap((statement) => statement.sid ?? []));
  const raw = secureTransportStatement(bucket, region, taken);
  const [added] = normalisePolicy({ Statement: [raw] }).statements;
  const statements = added
    ? [...base.statements, { ...added, index: base.statements.length }]
    : base.statements;
  const policy = serializePolicy({ ...base, statements });
  return {
    policy,
    bytes: new TextEncoder().encode(policy).length,
    sid: String(raw.Sid),
    kept: base.statements.length,
  };
}
