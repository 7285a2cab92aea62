import type { EncryptionRule } from '#shared/s3/bucket-state.ts';
import type { BucketControl, EvaluationContext } from './types.ts';

const KMS_ALGORITHMS = new Set(['aws:kms', 'aws:kms:dsse']);
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;

function approvedKeyArns(context: EvaluationContext): readonly string[] {
  return [context.wardenKmsKeyArn, ...context.policy.s3.approvedKmsKeyArns];
}

/**
 * A bare key id resolves in the bucket's own account, so it matches an approved ARN of that account.
 * An alias cannot be verified without resolving it in that account: it is not accepted.
 */
function isApprovedKey(keyId: string | undefined, context: EvaluationContext): boolean {
  if (!keyId) return false; // aws:kms without a key = the AWS managed aws/s3 key, not customer-managed
  return approvedKeyArns(context).some((approved) => {
    if (approved === keyId) return true;
    const match = KEY_ARN.exec(approved);
    return match !== null && match[2] === context.accountId && match[3] === keyId;
  });
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
      rule !== undefined && KMS_ALGORITHMS.has(rule.algorithm) && isApprovedKey(rule.kmsKeyId, context);
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
    if (!state.wardenKey?.usable) {
      return {
        blocked: `Warden's KMS key ${context.wardenKmsKeyArn} is ${state.wardenKey?.state ?? 'unreadable'}; the bucket was left as it is.`,
      };
    }
    return {
      actions: [{ type: 'PutBucketEncryption', bucket: finding.resource, kmsKeyArn: state.wardenKey.arn }],
    };
  },
};
