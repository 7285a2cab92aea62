/**
 * The benchmark's remediation scenarios: a bucket (or the account) left in a risky state, the
 * CloudTrail event of the call that left it so, and the controls s3-guard must repair. A run that
 * did not repair them measured nothing, so `unmetOutcomes` makes the benchmark fail on it.
 */
import {
  DeleteBucketOwnershipControlsCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { DeletePublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { ControlId } from '#shared/contracts/controls.ts';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import { resetBucket } from '../cli/local/bucket-setup.ts';
import type { makeLocalClients } from '../cli/local/clients.ts';
import type { LocalConfig } from '../cli/local/local-config.ts';
import type { StormAlignment } from './storm.ts';

export type Clients = ReturnType<typeof makeLocalClients>;

export interface Scenario {
  readonly name: string;
  readonly sample: string;
  readonly prepare: (clients: Clients, config: LocalConfig, bucket: string) => Promise<void>;
  /** Every control the event must leave REMEDIATED. */
  readonly remediates: readonly ControlId[];
}

const publicPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Public',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'SSE-S3 → SSE-KMS',
    sample: 's3/put-bucket-encryption-sse-s3.json',
    prepare: (c, _config, bucket) =>
      resetBucket(c.s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' }),
    remediates: ['s3-encryption-kms'],
  },
  {
    name: 'new bucket (encryption + BPA)',
    sample: 's3/create-bucket.json',
    prepare: (c, _config, bucket) =>
      resetBucket(c.s3, bucket, { encryption: 'AES256', publicAccessBlock: 'none' }),
    remediates: ['s3-encryption-kms', 's3-bucket-public-access-block'],
  },
  {
    name: 'bucket BPA deleted',
    sample: 's3/delete-bucket-public-access-block.json',
    prepare: (c, config, bucket) =>
      resetBucket(c.s3, bucket, { encryption: { kmsKeyArn: config.kmsKeyArn }, publicAccessBlock: 'none' }),
    remediates: ['s3-bucket-public-access-block'],
  },
  {
    name: 'public bucket policy',
    sample: 's3/put-bucket-policy-public.json',
    prepare: async (c, config, bucket) => {
      await resetBucket(c.s3, bucket, {
        encryption: { kmsKeyArn: config.kmsKeyArn },
        publicAccessBlock: 'all',
      });
      await c.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy(bucket) }));
    },
    remediates: ['s3-public-policy'],
  },
  {
    name: 'public ACL',
    sample: 's3/put-bucket-acl-public-read.json',
    prepare: async (c, config, bucket) => {
      await resetBucket(c.s3, bucket, {
        encryption: { kmsKeyArn: config.kmsKeyArn },
        publicAccessBlock: 'all',
      });
      await c.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket })).catch(() => undefined);
      await c.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
    },
    remediates: ['s3-public-acl'],
  },
  {
    name: 'account BPA deleted',
    sample: 's3/delete-account-public-access-block.json',
    prepare: async (c, config) => {
      await c.s3Control
        .send(new DeletePublicAccessBlockCommand({ AccountId: config.accountId }))
        .catch(() => undefined);
    },
    remediates: ['s3-account-public-access-block'],
  },
];

/**
 * Why a run of the scenario did not remediate: the event was not PROCESSED, or an expected control
 * has no REMEDIATED outcome (its actual status, or "no outcome"). Empty when it did.
 */
export function unmetOutcomes(
  scenario: Pick<Scenario, 'remediates'>,
  result: Pick<GuardResult, 'status' | 'reason' | 'outcomes'>,
): string[] {
  if (result.status !== 'PROCESSED')
    return [`event ${result.status}${result.reason ? ` (${result.reason})` : ''}, not PROCESSED`];
  return scenario.remediates.flatMap((controlId) => {
    const outcomes = result.outcomes.filter((outcome) => outcome.controlId === controlId);
    if (outcomes.some((outcome) => outcome.status === 'REMEDIATED')) return [];
    const statuses = outcomes.map((outcome) => `${outcome.status}: ${outcome.reason}`).join('; ');
    return [`${controlId} ${statuses || 'has no outcome'}, not REMEDIATED`];
  });
}

/**
 * Where a storm of 500 alerts in a minute falls against the 5-minute Slack budget: inside one window,
 * and across a boundary 45 s in (between its second and third batch, where fixed windows gave it a
 * second full budget).
 */
export const STORM_ALIGNMENTS: readonly StormAlignment[] = [
  { name: 'inside one 5-minute window', tag: 'a', startAfterBoundaryMs: 5_000 },
  { name: 'across a 5-minute boundary', tag: 'b', startAfterBoundaryMs: -45_000 },
];
