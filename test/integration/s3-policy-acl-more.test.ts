import {
  GetBucketAclCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { listAuditRecords } from '../../cli/audit/audit-queries.ts';
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
import {
  policyDocumentOf,
  readBucketAclGrants,
  readBucketPolicy,
  readObjectOwnership,
  setBucketAcl,
  setBucketPolicy,
  statementsOf,
} from '../support/s3-access.ts';

/*
 * Foreign access, DeleteBucketPolicy bookkeeping, Object Ownership changes and the ACL encodings the
 * first policy/ACL suite does not cover: the built s3-guard bundle against moto. Each test puts the
 * bucket in the state the event's call left it in, then delivers the event.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');
const foreignEnforced = makePolicy({ controls: { 's3-foreign-access': { mode: 'enforce' } } });
/** The repository policy without the TLS-only control, for tests of the other policy controls alone. */
const withoutTls = makePolicy({
  ...repoPolicy,
  controls: { ...repoPolicy.controls, 's3-secure-transport': { mode: 'off' } },
});
const FOREIGN_EVENT = 's3/put-bucket-policy-foreign-account.json';

function sample(file: string, bucket: string): SampleEvent {
  return retargetEvent(loadSampleEvent(file), { bucket, accountId: localConfig().accountId });
}

const invoke = (event: SampleEvent, policy: Policy = repoPolicy) =>
  invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

function auditDeps() {
  const config = localConfig();
  return {
    documents: DynamoDBDocumentClient.from(makeClients(config).dynamodb),
    tableName: config.auditTable,
  };
}

const baselineOf = (bucket: string) => {
  const { documents, tableName } = auditDeps();
  const { accountId, region } = localConfig();
  return dynamoBaselineStore(documents, tableName).readPolicy({ accountId, region, bucket });
};

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

type Sid = { readonly Sid?: string };
const sidsOf = (policy: string | null) => statementsOf(policy).map((statement) => (statement as Sid).Sid);

describe('foreign access in bucket policies against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('detects a grant to an account outside the allowed ones (default detect mode), leaving the policy as it is', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy(FOREIGN_EVENT);
    const before = await readBucketPolicy(s3, bucket);

    const result = await invoke(event);

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-foreign-access', status: 'DETECTED' }),
    );
    expect(result.outcomes.some((outcome) => outcome.status === 'REMEDIATED')).toBe(false);
    expect(await readBucketPolicy(s3, bucket)).toBe(before);
  });

  it('alerts once in detect mode, quoting the foreign statement and its principal', async () => {
    const { event } = await bucketWithEventPolicy(FOREIGN_EVENT);

    await invoke(event);

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    const description = alerts[0]?.notification.content.description ?? '';
    expect(description).toContain('PartnerRead');
    expect(description).toContain('444455556666');
    expect(description).not.toContain('AllowAnalyticsRole');
  });

  it('records the detection in the audit trail with the policy as it was', async () => {
    const { bucket, event } = await bucketWithEventPolicy(FOREIGN_EVENT);

    const result = await invoke(event, withoutTls);

    const { records } = await listAuditRecords(auditDeps(), { bucket, limit: 10 });
    expect(records).toEqual([
      expect.objectContaining({
        actionId: `${result.eventId}:s3-foreign-access`,
        eventName: 'PutBucketPolicy',
        outcome: expect.objectContaining({ status: 'DETECTED', before: expect.anything() }),
      }),
    ]);
  });

  it('in enforce mode removes the foreign statement and keeps the same-account one exactly', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy(FOREIGN_EVENT);
    const sent = statementsOf(JSON.stringify(policyDocumentOf(event))) as Sid[];

    const result = await invoke(event, foreignEnforced);

    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-foreign-access', status: 'REMEDIATED' }),
    );
    expect(statementsOf(await readBucketPolicy(s3, bucket))).toEqual(
      sent.filter((statement) => statement.Sid !== 'PartnerRead'),
    );
  });

  it('in enforce mode keeps the stripped policy as the bucket baseline', async () => {
    const { bucket, event, s3 } = await bucketWithEventPolicy(FOREIGN_EVENT);

    const result = await invoke(event, foreignEnforced);

    expect(await baselineOf(bucket)).toMatchObject({
      policy: await readBucketPolicy(s3, bucket),
      eventId: result.eventId,
    });
    expect(sidsOf((await baselineOf(bucket))?.policy ?? null)).toEqual(['AllowAnalyticsRole']);
  });
});

describe('DeleteBucketPolicy against moto', () => {
  /** A bucket whose compliant policy Warden observed (its baseline), then deleted by someone. */
  async function deletedAfterBaseline() {
    const { bucket, event, s3 } = await bucketWithEventPolicy('s3/put-bucket-policy-compliant.json');
    expect((await invoke(event)).status).toBe('PROCESSED');
    expect((await baselineOf(bucket))?.policy).toBe(await readBucketPolicy(s3, bucket));
    await setBucketPolicy(s3, bucket, null);
    await takeAlerts();
    return { bucket, s3, event: sample('s3/delete-bucket-policy.json', bucket) };
  }

  it('finds nothing to fix and sends no alert', async () => {
    const { event } = await deletedAfterBaseline();

    const result = await invoke(event, withoutTls);

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(
      result.outcomes.map(() => 'ALREADY_COMPLIANT'),
    );
    expect(result.outcomes.map((outcome) => outcome.controlId).sort()).toEqual([
      's3-foreign-access',
      's3-public-policy',
    ]);
    expect(await takeAlerts()).toHaveLength(0);
  });

  it('replaces the stored baseline with "no policy"', async () => {
    const { bucket, event } = await deletedAfterBaseline();

    const result = await invoke(event);

    expect(await baselineOf(bucket)).toMatchObject({ policy: null, eventId: result.eventId });
  });

  it('records a "no policy" baseline for a bucket Warden had no baseline for', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('pol');
    await resetBucket(s3, bucket, { encryption: { kmsKeyArn: localConfig().kmsKeyArn } });
    expect(await baselineOf(bucket)).toBeUndefined();

    const result = await invoke(sample('s3/delete-bucket-policy.json', bucket));

    expect(await baselineOf(bucket)).toMatchObject({ policy: null, eventId: result.eventId });
  });
});

/** Turns ACLs on with `extra` grants next to the owner's, then sets Object Ownership (or leaves it unset). */
async function bucketWithAcl(
  extra: Parameters<typeof setBucketAcl>[2],
  ownership: 'ObjectWriter' | 'none',
): Promise<{ bucket: string; s3: S3Client }> {
  const { s3 } = makeClients();
  const bucket = uniqueBucketName('own');
  await resetBucket(s3, bucket, { publicAccessBlock: 'none' });
  await setBucketAcl(s3, bucket, extra);
  if (ownership !== 'none')
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: ownership }] },
      }),
    );
  return { bucket, s3 };
}

const OWNER_ONLY = [{ grantee: 'owner', permission: 'FULL_CONTROL' }];

describe('Object Ownership changes against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('PutBucketOwnershipControls ObjectWriter on a bucket whose ACL grants AllUsers: private ACL and BucketOwnerEnforced', async () => {
    const { bucket, s3 } = await bucketWithAcl(
      [{ group: 'global/AllUsers', permission: 'READ' }],
      'ObjectWriter',
    );

    const result = await invoke(sample('s3/put-bucket-ownership-controls-object-writer.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual(OWNER_ONLY);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
  });

  it('PutBucketOwnershipControls ObjectWriter on a bucket with a private ACL: left as it is, no alert', async () => {
    const { bucket, s3 } = await bucketWithAcl([], 'ObjectWriter');

    const result = await invoke(sample('s3/put-bucket-ownership-controls-object-writer.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'ALREADY_COMPLIANT' }]);
    expect(await readObjectOwnership(s3, bucket)).toBe('ObjectWriter');
    expect(await takeAlerts()).toHaveLength(0);
  });

  it('DeleteBucketOwnershipControls on a bucket whose ACL grants AuthenticatedUsers: private ACL and BucketOwnerEnforced', async () => {
    const { bucket, s3 } = await bucketWithAcl(
      [{ group: 'global/AuthenticatedUsers', permission: 'READ' }],
      'none',
    );

    const result = await invoke(sample('s3/delete-bucket-ownership-controls.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual(OWNER_ONLY);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
  });

  it('DeleteBucketOwnershipControls on a bucket with a private ACL: left without ownership controls, no alert', async () => {
    const { bucket, s3 } = await bucketWithAcl([], 'none');

    const result = await invoke(sample('s3/delete-bucket-ownership-controls.json', bucket));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'ALREADY_COMPLIANT' }]);
    expect(await readObjectOwnership(s3, bucket)).toBeNull();
    expect(await takeAlerts()).toHaveLength(0);
  });
});

describe('public ACL encodings against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  /** A bucket with ACLs on and only the owner's grant, before the event's call. */
  async function bucketWithPrivateAcl() {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('acl');
    await resetBucket(s3, bucket, { publicAccessBlock: 'none' });
    await setBucketAcl(s3, bucket, []);
    return { bucket, s3 };
  }

  it('resets an x-amz-grant-read AllUsers header grant (current encoding) to private and BucketOwnerEnforced', async () => {
    const { bucket, s3 } = await bucketWithPrivateAcl();
    const { Owner } = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketAclCommand({
        Bucket: bucket,
        GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        GrantFullControl: `id="${Owner?.ID}"`,
      }),
    );
    expect(await readBucketAclGrants(s3, bucket)).toContainEqual({ grantee: 'AllUsers', permission: 'READ' });

    const result = await invoke(sample('s3/put-bucket-acl-grant-header.json', bucket));

    expect(result).toMatchObject({ status: 'PROCESSED', eventName: 'PutBucketAcl' });
    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual(OWNER_ONLY);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
  });

  it('resets a canned public-read sent as a one-element array (legacy encoding) to private and BucketOwnerEnforced', async () => {
    const { bucket, s3 } = await bucketWithPrivateAcl();
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));

    const result = await invoke(sample('s3/put-bucket-acl-public-read-legacy.json', bucket));

    expect(result).toMatchObject({ status: 'PROCESSED', eventName: 'PutBucketAcl' });
    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-acl', status: 'REMEDIATED' }]);
    expect(await readBucketAclGrants(s3, bucket)).toEqual(OWNER_ONLY);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
  });

  it('quotes the removed public grant in the alert', async () => {
    const { bucket, s3 } = await bucketWithPrivateAcl();
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));

    await invoke(sample('s3/put-bucket-acl-public-read-legacy.json', bucket));

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification.content.description).toContain('AllUsers READ');
  });
});
