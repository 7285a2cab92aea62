import { PutBucketAclCommand } from '@aws-sdk/client-s3';
import { DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import type { SampleEvent } from '../../cli/local/sample-events.ts';
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
import {
  policyDocumentOf,
  readAccountPublicAccessBlock,
  readBucketAclGrants,
  readBucketPolicy,
  readObjectOwnership,
  setBucketAcl,
  setBucketPolicy,
  statementsOf,
} from '../support/s3-access.ts';

/*
 * Bucket policies, ACLs and account-level Block Public Access: the built s3-guard bundle against moto.
 * Each test puts the bucket in the state the event's call left it in, then delivers the event.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');

function sample(file: string, bucket: string): SampleEvent {
  return retargetEvent(loadSampleEvent(file), { bucket, accountId: localConfig().accountId });
}

const invoke = (event: SampleEvent) => invokeLocal('s3-guard', event, localConfig(), repoPolicy, QUIET);

/** A bucket with Warden's key, no Block Public Access, and the policy the sample event carries. */
async function bucketWithEventPolicy(file: string, bucket = uniqueBucketName('pol')) {
  const { s3 } = makeClients();
  await resetBucket(s3, bucket, {
    encryption: { kmsKeyArn: localConfig().kmsKeyArn },
    publicAccessBlock: 'none',
  });
  const event = sample(file, bucket);
  await setBucketPolicy(s3, bucket, policyDocumentOf(event));
  return { bucket, event, s3 };
}

describe('bucket policies against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('removes the public statement, keeps the legitimate ones exactly, and turns Block Public Access on', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy(
      's3/put-bucket-policy-public-next-to-legit.json',
    );
    const sent = statementsOf(JSON.stringify(policyDocumentOf(event))) as { Sid: string }[];

    const result = await invoke(event);

    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-policy', status: 'REMEDIATED' }),
    );
    expect(statementsOf(await readBucketPolicy(s3, bucket))).toEqual(
      sent.filter((statement) => statement.Sid !== 'PublicRead'),
    );
    expect(Object.values((await readBucketSnapshot(s3, bucket)).publicAccessBlock ?? {})).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('quotes the removed statement in the alert', async () => {
    const { event } = await bucketWithEventPolicy('s3/put-bucket-policy-public-next-to-legit.json');

    await invoke(event);

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification.content.title).toMatch(/^CRITICAL/);
    expect(alerts[0]?.notification.content.description).toContain('PublicRead');
  });

  it('leaves a wildcard statement pinned by aws:SourceVpce alone', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-vpce-pinned.json');
    const before = await readBucketPolicy(s3, bucket);

    const result = await invoke(event);

    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-policy', status: 'ALREADY_COMPLIANT' }),
    );
    expect(result.outcomes.some((outcome) => outcome.status === 'REMEDIATED')).toBe(false);
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });

  it('handles the old encoding (bucketPolicy object, one-element arrays) and deletes a policy that held only the public statement', async () => {
    const bucket = uniqueBucketName('pol');
    const { s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-public.json', bucket);
    const legacy = sample('s3/put-bucket-policy-public-legacy.json', bucket);

    const result = await invoke(legacy);

    expect(result).toMatchObject({ status: 'PROCESSED', eventName: 'PutBucketPolicy' });
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-policy', status: 'REMEDIATED' }),
    );
    expect(await readBucketPolicy(s3, bucket)).toBeNull();
  });

  it('deletes the policy when removing the public statement leaves nothing', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-public.json');

    await invoke(event);

    expect(await readBucketPolicy(s3, bucket)).toBeNull();
  });

  it('on a second change while a baseline exists, brings back only its Deny statements, never its Allows', async () => {
    // Prepare: a compliant policy Warden observes (the baseline), then a public one replaces it.
    const {
      bucket,
      event: compliant,
      s3,
    } = await bucketWithEventPolicy('s3/put-bucket-policy-compliant.json');
    expect((await invoke(compliant)).status).toBe('PROCESSED');
    const baseline = statementsOf(await readBucketPolicy(s3, bucket)) as { Effect?: string }[];
    const publicEvent = sample('s3/put-bucket-policy-public.json', bucket);
    await setBucketPolicy(s3, bucket, policyDocumentOf(publicEvent));

    // Act
    const result = await invoke(publicEvent);

    // Assess
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-policy', status: 'REMEDIATED' }),
    );
    expect(statementsOf(await readBucketPolicy(s3, bucket))).toEqual(
      baseline.filter((statement) => statement.Effect === 'Deny'),
    );
  });
});

describe('bucket ACLs against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('resets a canned public-read ACL to private and disables ACLs (BucketOwnerEnforced)', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('acl');
    await resetBucket(s3, bucket, { publicAccessBlock: 'none' });
    await setBucketAcl(s3, bucket, []);
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));

    const result = await invoke(sample('s3/put-bucket-acl-public-read.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual([{ grantee: 'owner', permission: 'FULL_CONTROL' }]);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
  });

  it('removes the AllUsers grant but leaves the log-delivery grants alone', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('acl');
    await resetBucket(s3, bucket, { publicAccessBlock: 'none' });
    await setBucketAcl(s3, bucket, [
      { group: 'global/AllUsers', permission: 'READ' },
      { group: 's3/LogDelivery', permission: 'WRITE' },
      { group: 's3/LogDelivery', permission: 'READ_ACP' },
    ]);

    const result = await invoke(sample('s3/put-bucket-acl-grants.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual([
      { grantee: 'owner', permission: 'FULL_CONTROL' },
      { grantee: 'LogDelivery', permission: 'WRITE' },
      { grantee: 'LogDelivery', permission: 'READ_ACP' },
    ]);
  });

  it('leaves an ACL with only owner and log-delivery grants alone, without alert', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('acl');
    await resetBucket(s3, bucket, { publicAccessBlock: 'none' });
    await setBucketAcl(s3, bucket, [{ group: 's3/LogDelivery', permission: 'WRITE' }]);

    const result = await invoke(sample('s3/put-bucket-acl-grants.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'ALREADY_COMPLIANT' }]);
    expect(await readBucketAclGrants(s3, bucket)).toContainEqual({
      grantee: 'LogDelivery',
      permission: 'WRITE',
    });
    expect(await takeAlerts()).toHaveLength(0);
  });
});

describe('account-level Block Public Access against moto (S3 Control)', () => {
  it('turns all four flags back on after DeleteAccountPublicAccessBlock', async () => {
    const { s3Control } = makeClients();
    const { accountId } = localConfig();
    await s3Control.send(new DeletePublicAccessBlockCommand({ AccountId: accountId }));
    await takeAlerts();

    const result = await invoke(sample('s3/delete-account-public-access-block.json', 'unused'));

    expect(result.outcomes).toMatchObject([
      { controlId: 's3-account-public-access-block', status: 'REMEDIATED' },
    ]);
    expect(await readAccountPublicAccessBlock(s3Control, accountId)).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(await takeAlerts()).toHaveLength(1);
  });

  it('completes a partial configuration', async () => {
    const { s3Control } = makeClients();
    const { accountId } = localConfig();
    await s3Control.send(
      new PutPublicAccessBlockCommand({
        AccountId: accountId,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false },
      }),
    );

    const result = await invoke(sample('s3/put-account-public-access-block-partial.json', 'unused'));

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
    expect(Object.values((await readAccountPublicAccessBlock(s3Control, accountId)) ?? {})).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});
