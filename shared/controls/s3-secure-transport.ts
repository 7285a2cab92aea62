import { secureTransportCoverage } from '#shared/model/policy/secure-transport.ts';
import {
  DEFAULT_MODES,
  planPolicyWrite,
  policyControlMode,
  quoteStatements,
  readBucketPolicy,
} from './bucket-policy-plan.ts';
import type { BucketControl } from './types.ts';

/**
 * The bucket policy denies every request made without TLS: a `Deny` to everyone of `s3:*` on the bucket
 * and its objects when `aws:SecureTransport` is false (`Bool` or `BoolIfExists`, the value a string or a
 * boolean). Fix: merge one such statement (Sid `WardenDenyInsecureTransport`) into the policy, keeping every
 * other statement as it is, or create the policy; blocked when the result would exceed S3's 20 KB.
 * Detect by default: a client that still speaks plain HTTP breaks once the Deny is in place.
 */
export const s3SecureTransport: BucketControl = {
  id: 's3-secure-transport',
  title: 'S3 bucket policies deny requests made without TLS',
  severity: 'MEDIUM',
  compliance: [
    'Security Hub S3.5 (S3 general purpose buckets should require requests to use SSL)',
    'CIS AWS Foundations v3.0 2.1.1 (S3 bucket policy is set to deny HTTP requests; 2.1.2 in v1.4)',
  ],
  triggers: ['CreateBucket', 'PutBucketPolicy', 'DeleteBucketPolicy'],
  // The baseline too: when another policy control enforces, the one write it plans rolls back to it.
  reads: ['policy', 'baselinePolicy'],
  defaultMode: DEFAULT_MODES['s3-secure-transport'],

  check(state, context) {
    const reading = readBucketPolicy(state, context);
    if (reading.kind === 'unreadable') {
      // Reported once, by the public-policy control, unless that one is off.
      if (policyControlMode('s3-public-policy', context) !== 'off') return undefined;
      return {
        controlId: 's3-secure-transport',
        resource: state.bucket,
        summary: `Warden cannot read the policy of bucket ${state.bucket}, so it cannot tell whether it denies requests without TLS: ${reading.problem}.`,
        observed: state.policy,
      };
    }
    const document = reading.kind === 'read' ? reading.document : null;
    const coverage = secureTransportCoverage(document, state.bucket, context.region);
    if (coverage.bucket && coverage.objects) return undefined;
    const missing =
      coverage.statements.length === 0
        ? 'no statement denies requests without TLS (aws:SecureTransport false)'
        : `the Deny of requests without TLS (${quoteStatements(coverage.statements)}) does not cover ${coverage.bucket ? 'its objects' : 'the bucket itself'}`;
    return {
      controlId: 's3-secure-transport',
      resource: state.bucket,
      summary:
        document === null
          ? `Bucket ${state.bucket} has no bucket policy, so S3 accepts requests to it without TLS.`
          : `Bucket ${state.bucket} accepts requests without TLS: ${missing}.`,
      // The TLS Deny statements that fall short, if any; null without a policy.
      observed: document === null ? null : coverage.statements.map((statement) => statement.raw),
    };
  },

  fix(_finding, state, context) {
    return planPolicyWrite('s3-secure-transport', state, context);
  },
};
