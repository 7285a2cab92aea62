import { DeleteBucketCommand, DeleteBucketPolicyCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
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
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';
import { readBucketPolicy, setBucketPolicy, statementsOf } from '../support/s3-access.ts';

/*
 * Issue 11, items 1-3, through the built s3-guard bundle against moto: a rollback never grants access back,
 * a baseline never outlives its bucket, and detect mode says what Warden would do.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');

/** The sample, aimed at `bucket`, dated now (a baseline ends at the event's time, so the time matters here). */
function sample(file: string, bucket: string): SampleEvent {
  const event = retargetEvent(loadSampleEvent(file), { bucket, accountId: localConfig().accountId });
  event.detail.eventTime = new Date().toISOString();
  return event;
}

const invoke = (event: SampleEvent, policy = repoPolicy) =>
  invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

function baselineOf(bucket: string) {
  const config = localConfig();
  const documents = DynamoDBDocumentClient.from(makeClients(config).dynamodb);
  return dynamoBaselineStore(documents, config.auditTable).readPolicy({
    accountId: config.accountId,
    region: config.region,
    bucket,
  });
}

const arn = (bucket: string) => [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
const allow = (sid: string, role: string, bucket: string) => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${localConfig().accountId}:role/${role}` },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucket}/*`,
});
const denyInsecure = (bucket: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: arn(bucket),
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
const publicRead = (bucket: string) => ({
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucket}/*`,
});
const document = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const sids = (policy: string | null) =>
  statementsOf(policy).map((statement) => (statement as { Sid?: string }).Sid);

/** A bucket with Warden's key and Block Public Access on, whose compliant policy Warden has seen (the baseline). */
async function bucketWithBaseline(policyFor: (bucket: string) => object) {
  const { s3 } = makeClients();
  const bucket = uniqueBucketName('rb');
  const policy = policyFor(bucket);
  await resetBucket(s3, bucket, {
    encryption: { kmsKeyArn: localConfig().kmsKeyArn },
    publicAccessBlock: 'all',
  });
  await setBucketPolicy(s3, bucket, policy);
  await invoke(sample('s3/put-bucket-policy-compliant.json', bucket));
  expect((await baselineOf(bucket))?.policy).toBe(JSON.stringify(policy));
  return { s3, bucket };
}

describe('rollback safety against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('never writes back an Allow the owner removed: {Keep, Revoked} then {Keep, PublicRead} leaves {Keep}', async () => {
    const { s3, bucket } = await bucketWithBaseline((name) =>
      document(allow('Keep', 'app', name), allow('Revoked', 'compromised', name)),
    );
    const keep = allow('Keep', 'app', bucket);
    await setBucketPolicy(s3, bucket, document(keep, publicRead(bucket)));

    const result = await invoke(sample('s3/put-bucket-policy-public.json', bucket));

    expect(statementsOf(await readBucketPolicy(s3, bucket))).toEqual([keep]);
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({
        controlId: 's3-public-policy',
        status: 'REMEDIATED',
        actions: [expect.stringContaining('did not bring back 1 earlier Allow statement (Revoked)')],
      }),
    );
  });

  it('brings back the Deny a public change dropped, and nothing else', async () => {
    const { s3, bucket } = await bucketWithBaseline((name) =>
      document(allow('Keep', 'app', name), denyInsecure(name)),
    );
    await setBucketPolicy(s3, bucket, document(publicRead(bucket)));

    await invoke(sample('s3/put-bucket-policy-public.json', bucket));

    expect(sids(await readBucketPolicy(s3, bucket))).toEqual(['DenyInsecureTransport']);
  });

  it('ends the baseline when the bucket is deleted, so a bucket re-created under the name inherits nothing', async () => {
    const { s3, bucket } = await bucketWithBaseline((name) =>
      document(allow('Keep', 'app', name), denyInsecure(name)),
    );
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    const deleted = await invoke(sample('s3/delete-bucket.json', bucket));
    const afterDeletion = await baselineOf(bucket);
    await resetBucket(s3, bucket, {
      encryption: { kmsKeyArn: localConfig().kmsKeyArn },
      publicAccessBlock: 'all',
    });
    await invoke(sample('s3/create-bucket.json', bucket));
    await setBucketPolicy(s3, bucket, document(publicRead(bucket)));

    await invoke(sample('s3/put-bucket-policy-public.json', bucket));

    expect(deleted.status).toBe('PROCESSED');
    expect(afterDeletion).toBeUndefined();
    expect(await readBucketPolicy(s3, bucket)).toBeNull();
  });

  it('ends the baseline on CreateBucket alone, when the deletion was never seen', async () => {
    const { bucket } = await bucketWithBaseline((name) => document(allow('Keep', 'app', name)));
    const created = sample('s3/create-bucket.json', bucket);

    await invoke(created);

    // CreateBucket also runs s3-secure-transport, which reads the new bucket's policy: what remains is the
    // policy observed on the new bucket by this very event, never the old bucket's copy.
    expect((await baselineOf(bucket))?.eventId).toBe(created.detail.eventID);
  });

  it('in detect mode, tells Slack and the audit trail what Warden would do, and changes nothing', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('rb');
    await resetBucket(s3, bucket, {
      encryption: { kmsKeyArn: localConfig().kmsKeyArn },
      publicAccessBlock: 'all',
    });
    await setBucketPolicy(s3, bucket, document(publicRead(bucket)));
    const detectOnly = makePolicy({ controls: { 's3-public-policy': { mode: 'detect' } } });

    const result = await invoke(sample('s3/put-bucket-policy-public.json', bucket), detectOnly);

    expect(result.outcomes[0]).toMatchObject({
      status: 'DETECTED',
      actions: [expect.stringMatching(/^Would delete the bucket policy: /)],
    });
    const [alert] = await takeAlerts();
    expect(alert?.notification.content.description).toContain('Would delete the bucket policy');
    expect(alert?.notification.content.description).not.toContain('Deleted the bucket policy');
    expect(sids(await readBucketPolicy(s3, bucket))).toEqual(['PublicRead']);
  });
});
