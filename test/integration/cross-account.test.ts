import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '#shared/aws/clients.ts';
import { resourceNames } from '#shared/config/names.ts';
import { doctor } from '../../cli/doctor.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import { writeLocalConfig } from '../../cli/local/local-config.ts';
import { makePolicy, ORGANIZATION_DEPLOYMENT } from '../fixtures.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  uniqueBucketName,
} from '../support/local-env.ts';
import { accountClients } from '../support/sweep-harness.ts';

/*
 * Organization mode against moto, which is multi-account: credentials from AssumeRole into account X
 * act on account X's resources. The built s3-guard bundle runs in the hub account and repairs a
 * bucket in a member account through the member role it assumes with real STS calls.
 */
const MEMBER = '210987654321';
const MEMBER_ROLE = ORGANIZATION_DEPLOYMENT.organization.memberRoleName;
const organizationPolicy = makePolicy({ deployment: ORGANIZATION_DEPLOYMENT });

/** Clients acting in the member account (as its administrator would), through an assumed role. */
const memberClients = () => accountClients(localConfig(), MEMBER);

describe('s3-guard in organization mode against moto', () => {
  let member: Awaited<ReturnType<typeof memberClients>>;
  let memberKeyArn: string;

  beforeAll(async () => {
    member = await memberClients();
    // The bucket key the spoke creates in the member account, under the hub key's alias.
    const key = (await member.kms.send(new CreateKeyCommand({ Description: 'Warden bucket key' })))
      .KeyMetadata;
    if (!key?.Arn || !key.KeyId) throw new Error('moto returned no key');
    await member.kms.send(
      new CreateAliasCommand({ AliasName: resourceNames().kmsKeyAlias, TargetKeyId: key.KeyId }),
    );
    memberKeyArn = key.Arn;
    // The role the spoke creates; moto lets the hub assume it (its trust is not evaluated).
    await member.iam
      .send(
        new CreateRoleCommand({
          RoleName: MEMBER_ROLE,
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
        }),
      )
      .catch((error: { name?: string }) => {
        if (error.name !== 'EntityAlreadyExists' && error.name !== 'EntityAlreadyExistsException')
          throw error;
      });
  });

  it('keeps the member bucket in the member account (moto is multi-account)', async () => {
    const bucket = uniqueBucketName('member');
    await member.s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const hubBuckets = await makeClients().s3.send(new ListBucketsCommand({}));
    const memberBuckets = await member.s3.send(new ListBucketsCommand({}));

    expect(hubBuckets.Buckets?.map((b) => b.Name)).not.toContain(bucket);
    expect(memberBuckets.Buckets?.map((b) => b.Name)).toContain(bucket);
  });

  it("repairs a member-account bucket through the assumed member role, with the member account's own key", async () => {
    const config = localConfig();
    const bucket = uniqueBucketName('member');
    await resetBucket(member.s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });
    const event = retargetEvent(loadSampleEvent('s3/put-bucket-encryption-sse-s3.json'), {
      bucket,
      accountId: MEMBER,
    });
    expect((event.detail as { recipientAccountId?: string }).recipientAccountId).toBe(MEMBER);

    const result = await invokeLocal('s3-guard', event, config, organizationPolicy, QUIET);

    // The hub account has no such bucket: only the member role's credentials could have repaired it.
    expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
    // A key of another account would need grants in both accounts for every reader and writer.
    expect(memberKeyArn).toContain(`:${MEMBER}:key/`);
    expect((await readBucketSnapshot(member.s3, bucket)).encryption).toEqual({
      algorithm: 'aws:kms',
      kmsKeyId: memberKeyArn,
      bucketKeyEnabled: true,
    });
  });
});

describe('warden doctor against moto', () => {
  it('reports each check after provisioning, and OK for trail and rules once they exist', async () => {
    const config = localConfig();
    const configPath = join(mkdtempSync(join(tmpdir(), 'warden-doctor-')), 'local.json');
    writeLocalConfig(config, configPath);
    const run = () =>
      doctor({
        policy: makePolicy(),
        prefix: 'warden',
        target: { kind: 'local', configPath },
        write: () => undefined,
      });

    const before = await run();
    expect(before.exitCode).toBe(1);

    const clients = makeClients();
    const trailBucket = uniqueBucketName('trail');
    await clients.s3.send(new CreateBucketCommand({ Bucket: trailBucket }));
    const target = {
      endpoint: config.endpoint,
      region: config.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const cloudTrail = new CloudTrailClient(clientConfig(target));
    await cloudTrail.send(
      new CreateTrailCommand({
        Name: 'warden-it-trail',
        S3BucketName: trailBucket,
        IsMultiRegionTrail: true,
      }),
    );
    await cloudTrail.send(new StartLoggingCommand({ Name: 'warden-it-trail' }));
    await new EventBridgeClient(clientConfig(target)).send(
      new PutRuleCommand({
        Name: 'warden-hub-it-rule',
        EventPattern: JSON.stringify({ source: ['aws.s3'] }),
        State: 'ENABLED',
      }),
    );

    const after = await run();

    const status = Object.fromEntries(after.results.map((r) => [r.check, r.status]));
    expect(status).toEqual({
      'CloudTrail trail logging': 'OK',
      [`EventBridge rules in ${config.region}`]: 'OK',
      // The local secret points at the capture server, not at hooks.slack.com.
      'Slack webhook secret': 'WARN',
      'KMS key': 'OK',
      'Alert topic': 'OK',
    });
    expect(after.exitCode).toBe(1);
  });
});
