import type { PublicAccessBlock } from '#shared/model/bucket.ts';
import type { BucketControl } from './types.ts';

const FLAGS: readonly (keyof PublicAccessBlock)[] = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

export const s3BucketPublicAccessBlock: BucketControl = {
  id: 's3-bucket-public-access-block',
  title: 'S3 bucket-level Block Public Access is fully on',
  severity: 'HIGH',
  compliance: ['Security Hub S3.8', 'CIS AWS Foundations 2.1.4'],
  triggers: ['CreateBucket', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock'],
  reads: ['publicAccessBlock'],
  defaultMode: 'enforce',

  check(state) {
    const settings = state.publicAccessBlock;
    const off = FLAGS.filter((flag) => settings?.[flag] !== true);
    if (off.length === 0) return undefined;
    return {
      controlId: 's3-bucket-public-access-block',
      resource: state.bucket,
      summary: `Bucket ${state.bucket} has Block Public Access off for ${off.join(', ')}.`,
      observed: settings ?? null,
    };
  },

  fix(finding) {
    return { actions: [{ type: 'PutPublicAccessBlock', bucket: finding.resource }] };
  },
};
