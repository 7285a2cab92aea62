import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import type { SampleEvent } from '../../cli/local/sample-events.ts';
import { makePolicy } from '../fixtures.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  resetBucket,
  retargetEvent,
  uniqueBucketName,
} from '../support/local-env.ts';
import { policyDocumentOf, readBucketPolicy, setBucketPolicy } from '../support/s3-access.ts';

/*
 * Exempt names, legacy bucket names and what counts as foreign access (issue 11, items 4 to 9): the built
 * s3-guard bundle against moto. Each test puts the bucket in the state the event's call left it in, then
 * delivers the event.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');
const foreignEnforced = makePolicy({ controls: { 's3-foreign-access': { mode: 'enforce' } } });

function sample(file: string, bucket: string): SampleEvent {
  return retargetEvent(loadSampleEvent(file), { bucket, accountId: localConfig().accountId });
}

const invoke = (event: SampleEvent, policy: Policy = repoPolicy) =>
  invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

/** A bucket with Warden's key, no Block Public Access, and the policy the sample event carries. */
async function bucketWithEventPolicy(file: string, bucket = uniqueBucketName('fgn')) {
  const { s3 } = makeClients();
  await resetBucket(s3, bucket, {
    encryption: { kmsKeyArn: localConfig().kmsKeyArn },
    publicAccessBlock: 'none',
  });
  const event = sample(file, bucket);
  await setBucketPolicy(s3, bucket, policyDocumentOf(event));
  return { bucket, event, s3 };
}

const foreignOutcome = (result: Awaited<ReturnType<typeof invoke>>) =>
  result.outcomes.find((outcome) => outcome.controlId === 's3-foreign-access');

describe('s3-guard: exempt names', () => {
  it("ignores this account and region's CDK bootstrap bucket under the shipped policy", async () => {
    const { accountId } = localConfig();
    const bucket = `cdk-hnb659fds-assets-${accountId}-us-east-1`;

    const result = await invoke(sample('s3/create-bucket.json', bucket));

    expect(result).toMatchObject({ status: 'IGNORED', reason: `bucket ${bucket} is exempt by policy` });
  });

  it('guards a bucket that only looks like a CDK asset bucket under the shipped policy', async () => {
    const bucket = `cdk-${randomBytes(4).toString('hex')}-assets-x`;
    const { s3 } = makeClients();
    await resetBucket(s3, bucket, { encryption: 'AES256', publicAccessBlock: 'none' });

    const result = await invoke(sample('s3/create-bucket.json', bucket));

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-bucket-public-access-block', status: 'REMEDIATED' }),
    );
  });
});

describe('s3-guard: legacy bucket names', () => {
  it('repairs a public policy on a bucket whose legacy name holds upper case and underscores', async () => {
    const bucket = `Legacy_Reports_${randomBytes(4).toString('hex').toUpperCase()}`;
    const { event, s3 } = await bucketWithEventPolicy(
      's3/put-bucket-policy-public-legacy-bucket-name.json',
      bucket,
    );

    const result = await invoke(event);

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-policy', status: 'REMEDIATED', resource: bucket }),
    );
    expect(await readBucketPolicy(s3, bucket)).toBeNull();
  });
});

describe('s3-guard: what counts as foreign access', () => {
  it('leaves a CloudFront origin access identity grant alone with foreign access enforced', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-cloudfront-oai.json');
    const before = await readBucketPolicy(s3, bucket);

    const result = await invoke(event, foreignEnforced);

    expect(foreignOutcome(result)?.status).toBe('ALREADY_COMPLIANT');
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });

  it('reports a CloudFront service principal with no source condition, naming the missing condition', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy(
      's3/put-bucket-policy-cloudfront-service-no-source.json',
    );
    const before = await readBucketPolicy(s3, bucket);

    const result = await invoke(event);

    expect(foreignOutcome(result)).toMatchObject({
      status: 'DETECTED',
      reason: expect.stringContaining('no aws:SourceArn or aws:SourceAccount condition'),
    });
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });

  it('reports a wildcard pinned to a VPC endpoint the policy file does not trust', async () => {
    const { event } = await bucketWithEventPolicy('s3/put-bucket-policy-vpce-pinned.json');

    const result = await invoke(event);

    expect(foreignOutcome(result)?.status).toBe('DETECTED');
  });

  it('finds a wildcard pinned to a trusted VPC endpoint compliant', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-vpce-pinned.json');
    const before = await readBucketPolicy(s3, bucket);
    const trusting = makePolicy({
      controls: { 's3-foreign-access': { mode: 'enforce' } },
      s3: { trustedVpcEndpointIds: ['vpce-0a1b2c3d4e5f60789'] },
    });

    const result = await invoke(event, trusting);

    expect(result.status).toBe('PROCESSED');
    expect(foreignOutcome(result)?.status).toBe('ALREADY_COMPLIANT');
    expect(result.outcomes.some((outcome) => outcome.status === 'REMEDIATED')).toBe(false);
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });
});
