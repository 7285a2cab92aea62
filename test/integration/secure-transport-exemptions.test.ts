import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { SECURE_TRANSPORT_SID } from '#shared/model/policy/secure-transport.ts';
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
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';
import { policyDocumentOf, readBucketPolicy, setBucketPolicy, statementsOf } from '../support/s3-access.ts';

/*
 * Issue 14, items 3 and 4, through the built s3-guard bundle against moto: the TLS-only Deny merged into a
 * bucket's policy (once, with the baseline following), and exemptions that cover some controls or expire.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');
const enforceTls = makePolicy({
  ...repoPolicy,
  controls: { ...repoPolicy.controls, 's3-secure-transport': { mode: 'enforce' } },
});

const sample = (file: string, bucket: string): SampleEvent =>
  retargetEvent(loadSampleEvent(file), { bucket, accountId: localConfig().accountId });
const invoke = (event: SampleEvent, policy: Policy) =>
  invokeLocal('s3-guard', event, localConfig(), policy, QUIET);
const statusOf = (result: Awaited<ReturnType<typeof invoke>>, controlId: string) =>
  result.outcomes.find((outcome) => outcome.controlId === controlId)?.status;

function baselineOf(bucket: string) {
  const config = localConfig();
  const documents = DynamoDBDocumentClient.from(makeClients(config).dynamodb);
  return dynamoBaselineStore(documents, config.auditTable).readPolicy({
    accountId: config.accountId,
    region: config.region,
    bucket,
  });
}

describe('s3-secure-transport against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('merges the TLS Deny into the existing policy, once, and keeps the merged policy as the baseline', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('tls');
    await resetBucket(s3, bucket, {
      encryption: { kmsKeyArn: localConfig().kmsKeyArn },
      publicAccessBlock: 'all',
    });
    const event = sample('s3/put-bucket-policy-role-only.json', bucket);
    const [roleStatement] = statementsOf(JSON.stringify(policyDocumentOf(event)));
    await setBucketPolicy(s3, bucket, policyDocumentOf(event));

    const first = await invoke(event, enforceTls);
    const merged = await readBucketPolicy(s3, bucket);

    expect(statusOf(first, 's3-secure-transport')).toBe('REMEDIATED');
    expect(statementsOf(merged)).toEqual([
      roleStatement,
      {
        Sid: SECURE_TRANSPORT_SID,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect((await baselineOf(bucket))?.policy).toBe(merged);
    expect(await takeAlerts()).toHaveLength(1);

    const second = await invoke(sample('s3/put-bucket-policy-role-only.json', bucket), enforceTls);

    expect(statusOf(second, 's3-secure-transport')).toBe('ALREADY_COMPLIANT');
    expect(await readBucketPolicy(s3, bucket)).toBe(merged);
    expect(await takeAlerts()).toHaveLength(0);
  });

  it('in detect mode (the default) reports a bucket without the Deny and writes nothing', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('tls');
    await resetBucket(s3, bucket, {
      encryption: { kmsKeyArn: localConfig().kmsKeyArn },
      publicAccessBlock: 'all',
    });
    const event = sample('s3/put-bucket-policy-role-only.json', bucket);
    await setBucketPolicy(s3, bucket, policyDocumentOf(event));
    const before = await readBucketPolicy(s3, bucket);

    const result = await invoke(event, repoPolicy);

    expect(statusOf(result, 's3-secure-transport')).toBe('DETECTED');
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });
});

describe('exemptions against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  /** A new bucket as S3 makes one: SSE-S3, no Block Public Access; and its CreateBucket event. */
  async function newBucket() {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('exempt');
    await resetBucket(s3, bucket, { encryption: 'AES256', publicAccessBlock: 'none' });
    return { s3, bucket, event: sample('s3/create-bucket.json', bucket) };
  }
  const exempting = (exemption: Record<string, unknown>) =>
    makePolicy({
      ...repoPolicy,
      s3: { ...repoPolicy.s3, exemptBuckets: [{ reason: 'test', ...exemption }] } as never,
    });

  it('still repairs Block Public Access on a bucket exempt from encryption, and leaves its encryption', async () => {
    const { s3, bucket, event } = await newBucket();

    const result = await invoke(event, exempting({ bucket, controls: ['s3-encryption-kms'] }));
    const snapshot = await readBucketSnapshot(s3, bucket);

    expect(result.status).toBe('PROCESSED');
    expect(statusOf(result, 's3-bucket-public-access-block')).toBe('REMEDIATED');
    expect(statusOf(result, 's3-encryption-kms')).toBeUndefined();
    expect(snapshot.publicAccessBlock && Object.values(snapshot.publicAccessBlock).every(Boolean)).toBe(true);
    expect(snapshot.encryption?.algorithm).toBe('AES256');
  });

  it('no longer exempts a bucket once its exemption has expired', async () => {
    const { s3, bucket, event } = await newBucket();

    const result = await invoke(event, exempting({ bucket, expires: '2026-01-31' }));
    const snapshot = await readBucketSnapshot(s3, bucket);

    expect(result.status).toBe('PROCESSED');
    expect(statusOf(result, 's3-encryption-kms')).toBe('REMEDIATED');
    expect(snapshot.encryption?.algorithm).toBe('aws:kms');
  });

  it('exempts the same bucket while the exemption runs', async () => {
    const { s3, bucket, event } = await newBucket();

    const result = await invoke(event, exempting({ bucket, expires: '2999-12-31' }));

    expect(result).toMatchObject({ status: 'IGNORED', reason: `bucket ${bucket} is exempt by policy` });
    expect((await readBucketSnapshot(s3, bucket)).encryption?.algorithm).toBe('AES256');
  });
});
