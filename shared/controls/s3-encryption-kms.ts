import type { BucketState, EncryptionRule } from '#shared/model/bucket.ts';
import { KEY_NOT_FOUND } from '#shared/model/bucket.ts';
import type { BucketControl, EvaluationContext } from './types.ts';

const KMS_ALGORITHMS = new Set(['aws:kms', 'aws:kms:dsse']);
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;

/**
 * Warden's key for the bucket's account and region (as read with the bucket), Warden's hub key, and
 * the policy's extra keys: only those in the bucket's own account and region, the only keys S3 can use.
 */
function approvedKeyArns(state: BucketState, context: EvaluationContext): readonly string[] {
  const candidates = [state.wardenKey?.arn, context.wardenKmsKeyArn, ...context.policy.s3.approvedKmsKeyArns];
  return candidates.filter((arn): arn is string => {
    const match = arn ? KEY_ARN.exec(arn) : null;
    return match !== null && match[1] === context.region && match[2] === context.accountId;
  });
}

/**
 * A bare key id resolves in the bucket's own account and region, so it matches an approved ARN there.
 * An alias cannot be verified without resolving it in that account: it is not accepted.
 */
function isApprovedKey(keyId: string | undefined, approved: readonly string[]): boolean {
  if (!keyId) return false; // aws:kms without a key = the AWS managed aws/s3 key, not customer-managed
  return approved.some((arn) => arn === keyId || KEY_ARN.exec(arn)?.[3] === keyId);
}

function describeRule(rule: EncryptionRule | undefined): string {
  if (!rule) return 'no default encryption';
  if (rule.algorithm === 'AES256') return 'SSE-S3 (AES256), which any reader of the bucket can decrypt';
  if (!KMS_ALGORITHMS.has(rule.algorithm)) return `unsupported algorithm ${rule.algorithm}`;
  if (!rule.kmsKeyId) return `${rule.algorithm} with the AWS managed key aws/s3, not a customer-managed key`;
  return `${rule.algorithm} with a key that is not approved (${rule.kmsKeyId})`;
}

export const s3EncryptionKms: BucketControl = {
  id: 's3-encryption-kms',
  title: 'S3 default encryption uses SSE-KMS with an approved customer-managed key',
  severity: 'HIGH',
  compliance: ['Security Hub S3.17', 'NIST 800-53 SC-28', 'CIS AWS Foundations 2.1.1 (encryption at rest)'],
  triggers: ['CreateBucket', 'PutBucketEncryption', 'DeleteBucketEncryption'],
  reads: ['encryption', 'wardenKey'],
  defaultMode: 'enforce',

  check(state, context) {
    const rules = state.encryption ?? [];
    const rule = rules[0];
    const compliant =
      rule !== undefined &&
      KMS_ALGORITHMS.has(rule.algorithm) &&
      isApprovedKey(rule.kmsKeyId, approvedKeyArns(state, context));
    if (compliant) return undefined;
    return {
      controlId: 's3-encryption-kms',
      resource: state.bucket,
      summary: `Bucket ${state.bucket} default encryption is ${describeRule(rule)}.`,
      observed: rules,
    };
  },

  fix(finding, state, context) {
    // Never point a bucket at a key that cannot encrypt: writes would fail and reads of new objects too.
    const key = state.wardenKey;
    if (key?.state === KEY_NOT_FOUND) {
      return {
        blocked: `Warden has no KMS key in ${context.region} (${key.arn}): deploy Warden's stack for that region; the bucket was left as it is.`,
      };
    }
    if (!key?.usable) {
      return {
        blocked: `Warden's KMS key ${key?.arn ?? context.wardenKmsKeyArn} is ${key?.state ?? 'unreadable'}; the bucket was left as it is.`,
      };
    }
    return {
      actions: [{ type: 'PutBucketEncryption', bucket: finding.resource, kmsKeyArn: key.arn }],
    };
  },
};
