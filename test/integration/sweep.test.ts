import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '#shared/aws/clients.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { writeLocalConfig } from '../../cli/local/local-config.ts';
import { sweepCommand } from '../../cli/sweep-command.ts';
import { makePolicy, ORGANIZATION_DEPLOYMENT } from '../fixtures.ts';
import {
  localConfig,
  makeClients,
  readBucketSnapshot,
  resetBucket,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';
import { provisionMember, sweepHarness } from '../support/sweep-harness.ts';

/*
 * The scheduled sweep against moto: the planner's items on a real FIFO queue, worked by the worker's use case
 * with its real wiring, in two member accounts of an organization (moto is multi-account), so the sweep sees
 * only the buckets each test made there.
 */
const MEMBER_A = '333344445555';
const MEMBER_B = '444455556666';
const ROLE = ORGANIZATION_DEPLOYMENT.organization.memberRoleName;
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
const foreignPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Partner',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999988887777:root' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  });

const policy = makePolicy({
  deployment: ORGANIZATION_DEPLOYMENT,
  controls: { 's3-foreign-access': { mode: 'detect' }, 's3-secure-transport': { mode: 'off' } },
  s3: { exemptBuckets: [{ bucket: 'sweep-exempt-*', reason: 'a test fixture left as it is' }] },
} as Parameters<typeof makePolicy>[0]);

/** Every item of the bucket's partition in the audit table: its audit records, journal and baseline. */
async function auditItemsOf(bucket: string) {
  const config = localConfig();
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient(
      clientConfig({ endpoint: config.endpoint, region: config.region, credentials: localCredentials() }),
    ),
  );
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: config.auditTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :action)',
      ExpressionAttributeValues: { ':pk': `RESOURCE#${bucket}`, ':action': 'ACTION#' },
    }),
  );
  return Items;
}

const aclIsPublic = async (s3: S3Client, bucket: string) =>
  ((await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []).some((grant) =>
    grant.Grantee?.URI?.endsWith('/AllUsers'),
  );
const policyOf = async (s3: S3Client, bucket: string) =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (output) => output.Policy,
    () => undefined,
  );

describe('the scheduled sweep against moto (organization mode, two member accounts)', () => {
  let memberA: Awaited<ReturnType<typeof provisionMember>>;
  let memberB: Awaited<ReturnType<typeof provisionMember>>;
  const names = {
    compliant: uniqueBucketName('sweep-ok'),
    sseS3: uniqueBucketName('sweep-sse'),
    bpaOff: uniqueBucketName('sweep-bpa'),
    publicPolicy: uniqueBucketName('sweep-pub'),
    publicAcl: uniqueBucketName('sweep-acl'),
    exempt: uniqueBucketName('sweep-exempt'),
    foreign: uniqueBucketName('sweep-foreign'),
    other: uniqueBucketName('sweep-b'),
  };

  beforeAll(async () => {
    const config = localConfig();
    memberA = await provisionMember(config, MEMBER_A, ROLE);
    memberB = await provisionMember(config, MEMBER_B, ROLE);
    const kms = { kmsKeyArn: memberA.keyArn };
    await resetBucket(memberA.s3, names.compliant, { encryption: kms, publicAccessBlock: 'all' });
    await resetBucket(memberA.s3, names.sseS3, { encryption: 'AES256', publicAccessBlock: 'all' });
    await resetBucket(memberA.s3, names.bpaOff, { encryption: kms, publicAccessBlock: 'none' });
    await resetBucket(memberA.s3, names.publicPolicy, { encryption: kms, publicAccessBlock: 'all' });
    await memberA.s3.send(
      new PutBucketPolicyCommand({ Bucket: names.publicPolicy, Policy: publicPolicy(names.publicPolicy) }),
    );
    await resetBucket(memberA.s3, names.publicAcl, { encryption: kms, publicAccessBlock: 'all' });
    await memberA.s3.send(new PutBucketAclCommand({ Bucket: names.publicAcl, ACL: 'public-read' }));
    await resetBucket(memberA.s3, names.exempt, { encryption: 'AES256', publicAccessBlock: 'none' });
    await resetBucket(memberA.s3, names.foreign, { encryption: kms, publicAccessBlock: 'all' });
    await memberA.s3.send(
      new PutBucketPolicyCommand({ Bucket: names.foreign, Policy: foreignPolicy(names.foreign) }),
    );
    await resetBucket(memberB.s3, names.other, { encryption: 'AES256', publicAccessBlock: 'all' });
    await takeAlerts();
  });

  it('repairs what the policy enforces in both accounts, reports the rest, and sends one digest', async () => {
    const sweep = await sweepHarness(localConfig(), policy, [MEMBER_A, MEMBER_B]);

    const result = await sweep.run();

    expect(result.accounts).toBe(2);
    expect((await readBucketSnapshot(memberA.s3, names.sseS3)).encryption).toEqual({
      algorithm: 'aws:kms',
      kmsKeyId: memberA.keyArn,
      bucketKeyEnabled: true,
    });
    expect((await readBucketSnapshot(memberB.s3, names.other)).encryption?.kmsKeyId).toBe(memberB.keyArn);
    expect((await readBucketSnapshot(memberA.s3, names.bpaOff)).publicAccessBlock).toMatchObject({
      BlockPublicPolicy: true,
    });
    expect(await policyOf(memberA.s3, names.publicPolicy)).toBeUndefined();
    expect(await aclIsPublic(memberA.s3, names.publicAcl)).toBe(false);
    // Detect mode and exemptions: left exactly as they were.
    expect(await policyOf(memberA.s3, names.foreign)).toContain('999988887777');
    expect((await readBucketSnapshot(memberA.s3, names.exempt)).encryption?.algorithm).toBe('AES256');
    expect((await readBucketSnapshot(memberA.s3, names.compliant)).encryption?.kmsKeyId).toBe(memberA.keyArn);

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain(`Sweep ${result.sweepId}`);
    // Five buckets, and account-level Block Public Access in each member account.
    expect(sweep.completed).toMatchObject([{ repairs: 7, drift: 0 }]);
    expect(sweep.rejected).toEqual([]);
  });

  it('journals and audits a sweep repair like an event repair', async () => {
    const Items = await auditItemsOf(names.sseS3);

    expect(Items).toMatchObject([
      {
        eventName: 'WardenSweep',
        accountId: MEMBER_A,
        outcome: { controlId: 's3-encryption-kms', status: 'REMEDIATED' },
      },
    ]);
  });

  it('a second sweep right after changes nothing and alerts nothing where nothing is left to report', async () => {
    const cleanPolicy = makePolicy({
      deployment: ORGANIZATION_DEPLOYMENT,
      controls: { 's3-foreign-access': { mode: 'off' }, 's3-secure-transport': { mode: 'off' } },
    });
    const sweep = await sweepHarness(localConfig(), cleanPolicy, [MEMBER_B]);
    await sweep.run();
    await takeAlerts();

    await sweep.run();

    expect(await takeAlerts()).toEqual([]);
    expect(sweep.completed.at(-1)).toMatchObject({ repairs: 0, findings: 0, failures: 0 });
  });

  it('counts a repair after a clean sweep as drift the events missed', async () => {
    const cleanPolicy = makePolicy({
      deployment: ORGANIZATION_DEPLOYMENT,
      controls: { 's3-foreign-access': { mode: 'off' }, 's3-secure-transport': { mode: 'off' } },
    });
    const sweep = await sweepHarness(localConfig(), cleanPolicy, [MEMBER_B]);
    await sweep.run();
    // A change the event path never saw (no event is delivered here).
    await resetBucket(memberB.s3, names.other, { encryption: 'AES256', publicAccessBlock: 'all' });

    await sweep.run();

    expect(sweep.completed.at(-1)).toMatchObject({ repairs: 1, drift: 1 });
    await takeAlerts();
  });

  it('records a member account whose role is missing and sweeps the others', async () => {
    const sweep = await sweepHarness(localConfig(), policy, ['555566667777', MEMBER_B]);

    await sweep.run();

    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0]?.notification)).toContain('555566667777');
  });
});

describe('warden sweep against the emulator (account mode)', () => {
  it('--dry-run reports what Warden would repair and changes nothing', async () => {
    const config = localConfig();
    const configPath = join(mkdtempSync(join(tmpdir(), 'warden-sweep-')), 'local.json');
    writeLocalConfig(config, configPath);
    const bucket = uniqueBucketName('sweep-dry');
    await makeClients().s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    let exitCode: number;
    try {
      exitCode = await sweepCommand({
        dryRun: true,
        json: true,
        aws: false,
        prefix: 'warden',
        configPath,
        policy: makePolicy(),
      });
    } finally {
      process.stdout.write = write;
    }

    const report = JSON.parse(out.join('')) as {
      dryRun: boolean;
      findings: { resource: string; controlId: string; wouldRepair: boolean }[];
    };
    expect(exitCode).not.toBe(0);
    expect(report.dryRun).toBe(true);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ resource: bucket, controlId: 's3-encryption-kms', wouldRepair: true }),
    );
    expect((await readBucketSnapshot(makeClients().s3, bucket)).encryption).toBeNull();
    expect(await auditItemsOf(bucket)).toEqual([]);
  });
});
