import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import { buildAlert } from '#shared/guard/alert.ts';
import { loadApiCall } from '../../fixtures.ts';

const BUCKET = 'example-bucket';

const encryptionFixed: ControlOutcome = {
  controlId: 's3-encryption-kms',
  title: 'S3 default encryption uses SSE-KMS with an approved customer-managed key',
  severity: 'HIGH',
  compliance: ['Security Hub S3.17'],
  resource: BUCKET,
  status: 'REMEDIATED',
  reason: `Bucket ${BUCKET} default encryption is SSE-S3 (AES256).`,
  actions: ['Set default encryption to SSE-KMS'],
  before: { encryption: { rules: [{ algorithm: 'AES256' }] } },
  after: { encryption: { rules: [{ algorithm: 'aws:kms' }] } },
};

const publicAccessDetected: ControlOutcome = {
  controlId: 's3-bucket-public-access-block',
  title: 'S3 bucket-level Block Public Access is fully on',
  severity: 'CRITICAL',
  compliance: ['Security Hub S3.8'],
  resource: BUCKET,
  status: 'DETECTED',
  reason: `Bucket ${BUCKET} has Block Public Access off.`,
  actions: ['Turn on all four Block Public Access settings'],
};

/** An alert s3-guard would raise for the DeleteBucketEncryption sample, with the given outcomes. */
export function alertWith(outcomes: readonly ControlOutcome[] = [encryptionFixed]): Alert {
  const call = loadApiCall('s3/delete-bucket-encryption.json');
  const alert = buildAlert(
    call,
    { resourceType: 'AWS::S3::Bucket', resource: BUCKET, accountId: call.accountId },
    outcomes,
  );
  if (!alert) throw new Error('the outcomes raise no alert');
  return alert;
}

export { encryptionFixed, publicAccessDetected };
