import { ALL_BLOCKED } from '#shared/model/bucket.ts';
import { DEFAULT_MODES, planPolicyActions, quoteStatements, readBucketPolicy } from './bucket-policy-plan.ts';
import type { BucketControl } from './types.ts';

/**
 * A bucket policy is public as the S3 User Guide defines it ("The meaning of public"): an Allow to an open
 * principal that no condition pins to fixed values. Fix: roll back (restore the last-known-good policy, or
 * remove only the public statements, deleting the policy when nothing is left), and turn on bucket-level
 * Block Public Access so the next public policy is refused by S3 itself.
 */
export const s3PublicPolicy: BucketControl = {
  id: 's3-public-policy',
  title: 'S3 bucket policies do not grant public access',
  severity: 'CRITICAL',
  compliance: [
    'Security Hub S3.2 (block public read access)',
    'Security Hub S3.3 (block public write access)',
    'CIS AWS Foundations 2.1.4 (S3 Block Public Access)',
  ],
  triggers: ['PutBucketPolicy', 'DeleteBucketPolicy'],
  reads: ['policy', 'publicAccessBlock', 'baselinePolicy'],
  defaultMode: DEFAULT_MODES['s3-public-policy'],

  check(state, context) {
    const reading = readBucketPolicy(state, context);
    if (reading.kind === 'none') return undefined;
    if (reading.kind === 'unreadable') {
      return {
        controlId: 's3-public-policy',
        resource: state.bucket,
        summary: `Warden cannot read the policy of bucket ${state.bucket}, so it cannot tell whether it is public: ${reading.problem}.`,
        observed: state.policy,
      };
    }
    if (reading.publicStatements.length === 0) return undefined;
    const reasons = reading.verdict.statements
      .filter((verdict) => verdict.public)
      .map((verdict) => verdict.reason);
    const count = reading.publicStatements.length;
    return {
      controlId: 's3-public-policy',
      resource: state.bucket,
      summary: `Bucket ${state.bucket} policy is public: ${count} statement${count === 1 ? '' : 's'} (${[...new Set(reasons)].join('; ')}): ${quoteStatements(reading.publicStatements)}.`,
      observed: reading.publicStatements.map((statement) => statement.raw),
    };
  },

  fix(_finding, state, context) {
    if (readBucketPolicy(state, context).kind === 'unreadable')
      return { blocked: 'The policy was left as it is: Warden never rewrites a policy it cannot read.' };
    const bpa = state.publicAccessBlock;
    const bpaOn = bpa !== undefined && Object.values(bpa).every(Boolean);
    return {
      actions: [
        ...planPolicyActions('s3-public-policy', state, context),
        ...(bpaOn
          ? []
          : [{ type: 'PutPublicAccessBlock' as const, bucket: state.bucket, configuration: ALL_BLOCKED }]),
      ],
    };
  },
};
