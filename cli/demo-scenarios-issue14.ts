import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { SECURE_TRANSPORT_SID } from '#shared/model/policy/secure-transport.ts';
import { type BucketExemption, describeExemptionStatus, exemptionStatus } from '#shared/policy/exemptions.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { describeBucket, describePolicy } from './demo-format.ts';
import type { Scenario, ScenarioContext } from './demo-scenarios.ts';
import { readBucketPolicy } from './local/access-snapshot.ts';
import { resetBucket } from './local/bucket-setup.ts';
import { readBucketSnapshot } from './local/bucket-snapshot.ts';
import { loadSampleEvent, retargetEvent, type SampleEvent } from './local/sample-events.ts';

/**
 * The demo's stories for issue 14: the TLS-only lock merged into a bucket's policy, and an exemption that
 * expired on its own. Each runs with the repository policy plus one change, which the story names.
 */

const TLS_BUCKET = 'demo-tls-only';
const EXPIRED_BUCKET = 'demo-legacy-reports';
const DAY_MS = 24 * 60 * 60 * 1000;

const sampleOn = (file: string, bucket: string) => (context: ScenarioContext) =>
  retargetEvent(loadSampleEvent(file), { bucket, accountId: context.config.accountId });

const statementSids = (policy: string | null): string[] => {
  if (policy === null) return [];
  const statement = (JSON.parse(policy) as { Statement?: unknown }).Statement ?? [];
  return [statement].flat().map((item) => (item as { Sid?: string }).Sid ?? '?');
};

/** `controls.s3-secure-transport.mode: enforce`: the one-line change from detect. */
const enforceTls = (policy: Policy): Policy => ({
  ...policy,
  controls: { ...policy.controls, 's3-secure-transport': { mode: 'enforce' } },
});

/** The demo bucket exempt from every control until yesterday (UTC). */
const expiredEntry = (): BucketExemption => ({
  bucket: EXPIRED_BUCKET,
  reason: 'SSE-S3 until the reporting job moves to KMS (SEC-1234)',
  expires: new Date(Date.now() - DAY_MS).toISOString().slice(0, 10),
});

const expiredExemption = (policy: Policy): Policy => ({
  ...policy,
  s3: { ...policy.s3, exemptBuckets: [...policy.s3.exemptBuckets, expiredEntry()] },
});

export function issue14Scenarios(): Scenario[] {
  return [
    {
      title: 'The third lock: a bucket policy that denies plain HTTP',
      story:
        'After KMS and Block Public Access, a bucket-policy Deny of requests without TLS (Security Hub S3.5). Detect by default; this run uses the one-line change controls.s3-secure-transport.mode: enforce. Someone puts a policy that lets the analytics role read: Warden appends one Deny (Sid WardenDenyInsecureTransport), keeps the analytics statement exactly, and keeps the result as the last-known-good policy.',
      resource: TLS_BUCKET,
      policy: enforceTls,
      event: sampleOn('s3/put-bucket-policy-role-only.json', TLS_BUCKET),
      prepare: async ({ clients, config }, event: SampleEvent) => {
        await resetBucket(clients.s3, TLS_BUCKET, {
          encryption: { kmsKeyArn: config.kmsKeyArn },
          publicAccessBlock: 'all',
        });
        const policy = JSON.stringify(
          (event.detail.requestParameters as { bucketPolicy: unknown }).bucketPolicy,
        );
        await clients.s3.send(new PutBucketPolicyCommand({ Bucket: TLS_BUCKET, Policy: policy }));
      },
      describe: async ({ clients }) => describePolicy(await readBucketPolicy(clients.s3, TLS_BUCKET)),
      expected: 'PROCESSED',
      check: async ({ clients }, { result }) => {
        const outcome = result.outcomes.find((item) => item.controlId === 's3-secure-transport');
        if (outcome?.status !== 'REMEDIATED')
          return `s3-secure-transport answered ${outcome?.status ?? 'nothing'}`;
        const sids = statementSids(await readBucketPolicy(clients.s3, TLS_BUCKET));
        return sids.join(',') === `AllowAnalyticsRole,${SECURE_TRANSPORT_SID}`
          ? undefined
          : `expected AllowAnalyticsRole then ${SECURE_TRANSPORT_SID}, found ${sids.join(', ')}`;
      },
    },
    {
      title: 'An exemption that expired',
      story: `This run's policy exempts ${EXPIRED_BUCKET} (reason "SSE-S3 until the reporting job moves to KMS (SEC-1234)") until yesterday. An expired exemption stops applying on its own: the next change is guarded like any other. During its last week every event that used it logged a warning, the sweep's digest listed it, and npx warden exemptions showed "expires in N days"; now it shows "expired".`,
      resource: EXPIRED_BUCKET,
      policy: expiredExemption,
      event: sampleOn('s3/create-bucket.json', EXPIRED_BUCKET),
      prepare: async ({ clients }) =>
        resetBucket(clients.s3, EXPIRED_BUCKET, { encryption: 'AES256', publicAccessBlock: 'none' }),
      describe: async ({ clients, config }) => {
        const exemption = expiredEntry();
        return [
          ...describeBucket(await readBucketSnapshot(clients.s3, EXPIRED_BUCKET), config),
          `exemption            expires ${exemption.expires}: ${describeExemptionStatus(exemptionStatus(exemption, new Date()))}`,
        ];
      },
      expected: 'PROCESSED',
      check: async ({ clients }, { result }) => {
        const outcome = result.outcomes.find((item) => item.controlId === 's3-encryption-kms');
        if (outcome?.status !== 'REMEDIATED')
          return `s3-encryption-kms answered ${outcome?.status ?? 'nothing'}`;
        const snapshot = await readBucketSnapshot(clients.s3, EXPIRED_BUCKET);
        return snapshot.encryption?.algorithm === 'aws:kms'
          ? undefined
          : 'the bucket is still not on SSE-KMS';
      },
    },
  ];
}
