import { DEFAULT_MODES, planPolicyActions, quoteStatements, readBucketPolicy } from './bucket-policy-plan.ts';
import type { BucketControl } from './types.ts';

/**
 * Bucket policy statements granting principals outside the trust boundary: the bucket owner's account
 * plus `s3.allowedAccountIds` and `s3.allowedOrganizationIds` of the policy file. Public statements are
 * the public-policy control's business and are not repeated here. Detect by default: cross-account
 * sharing is often deliberate; `enforce` removes the foreign statements.
 */
export const s3ForeignAccess: BucketControl = {
  id: 's3-foreign-access',
  title: 'S3 bucket policies grant access only to allowed accounts and organizations',
  severity: 'HIGH',
  compliance: [
    'Security Hub S3.6 (permissions granted to other AWS accounts in bucket policies are restricted)',
  ],
  triggers: ['PutBucketPolicy', 'DeleteBucketPolicy'],
  reads: ['policy', 'baselinePolicy'],
  defaultMode: DEFAULT_MODES['s3-foreign-access'],

  check(state, context) {
    const reading = readBucketPolicy(state, context);
    // An unreadable policy is reported once, by the public-policy control.
    if (reading.kind !== 'read' || reading.foreign.length === 0) return undefined;
    const statements = reading.document.statements.filter((statement) =>
      reading.foreign.some((foreign) => foreign.index === statement.index),
    );
    const count = statements.length;
    return {
      controlId: 's3-foreign-access',
      resource: state.bucket,
      summary: `Bucket ${state.bucket} policy grants access outside the allowed accounts in ${count} statement${count === 1 ? '' : 's'} (${[...new Set(reading.foreign.map((foreign) => foreign.reason))].join('; ')}): ${quoteStatements(statements)}.`,
      observed: statements.map((statement) => statement.raw),
    };
  },

  fix(_finding, state, context) {
    return { actions: planPolicyActions('s3-foreign-access', state, context) };
  },
};
