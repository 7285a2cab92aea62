import {
  GetBucketPolicyCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { fightItemId } from '#shared/audit/fight-store.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { listAuditRecords } from '../../cli/audit/audit-queries.ts';
import { countAuditRecords } from '../../cli/local/audit-trail.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
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

/*
 * The built bundles (the artefacts CDK deploys) against moto over HTTP. A fight: another automation
 * (a Terraform role) re-applies what s3-guard repairs, round after round, through the real fight store
 * (the idempotency table), audit table and SNS topic. Root MFA: root-guard's bundle on the IAM events.
 */
const repoPolicy = loadPolicyFile('warden.policy.yaml');
const TERRAFORM_ROLE = 'arn:aws:iam::123456789012:role/terraform-deployer';

describe('a fight with another automation, through s3-guard', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  /** One round: the other actor makes its change in the emulator, then s3-guard hears of it. */
  async function round(bucket: string, sample: string, apply: () => Promise<unknown>) {
    const config = localConfig();
    await apply();
    const event = retargetEvent(loadSampleEvent(sample), { bucket, accountId: config.accountId });
    const result = await invokeLocal('s3-guard', event, config, repoPolicy, QUIET);
    return { result, alerts: await takeAlerts() };
  }

  it('announces the fight once on the third repair, then keeps repairing a public policy quietly', async () => {
    const config = localConfig();
    const { s3, dynamodb } = makeClients(config);
    const bucket = uniqueBucketName('fight');
    await resetBucket(s3, bucket, { encryption: { kmsKeyArn: config.kmsKeyArn }, publicAccessBlock: 'all' });
    const sample = 's3/put-bucket-policy-public-by-terraform.json';
    const policy = JSON.stringify(
      (
        retargetEvent(loadSampleEvent(sample), { bucket, accountId: config.accountId }).detail
          .requestParameters as {
          bucketPolicy: unknown;
        }
      ).bucketPolicy,
    );
    const reapply = () => s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));

    const rounds = [];
    for (let i = 0; i < 4; i++) rounds.push(await round(bucket, sample, reapply));

    expect(
      rounds.map(({ result }) => result.outcomes.find((o) => o.controlId === 's3-public-policy')?.status),
    ).toEqual(['REMEDIATED', 'REMEDIATED', 'REMEDIATED', 'REMEDIATED']);
    // The policy also denies plain HTTP, so the public statement is all there is to say: nothing in round four.
    expect(rounds.map(({ alerts }) => alerts.length)).toEqual([1, 1, 1, 0]);
    const fight = rounds[2]?.alerts[0]?.notification;
    expect(fight?.content.title).toBe(`CRITICAL: Warden is in a fight over s3-public-policy on ${bucket}`);
    expect(JSON.stringify(fight)).toContain(
      `${TERRAFORM_ROLE} (user agent \\"APN/1.0 HashiCorp/1.0 Terraform/1.9.8`,
    );
    expect(JSON.stringify(fight)).toContain('3 repairs of s3-public-policy');
    // Still repaired after the silent round: nothing public left.
    const left = await s3
      .send(new GetBucketPolicyCommand({ Bucket: bucket }))
      .catch(() => ({ Policy: undefined }));
    expect(left.Policy ?? '').not.toContain('PublicRead');

    const { records } = await listAuditRecords(
      { documents: DynamoDBDocumentClient.from(dynamodb), tableName: config.auditTable },
      { bucket },
    );
    expect(records.filter((record) => record.fight).map((record) => record.fight)).toEqual([
      expect.objectContaining({ kind: 'started', repairs: 3, next: 'repairing silently' }),
    ]);
    expect(records.filter((r) => r.outcome.controlId === 's3-public-policy' && !r.fight)).toHaveLength(4);
    const state = await DynamoDBDocumentClient.from(dynamodb).send(
      new GetCommand({
        TableName: config.idempotencyTable,
        Key: { id: fightItemId({ accountId: config.accountId, region: config.region, resource: bucket }) },
      }),
    );
    expect(state.Item).toMatchObject({ version: 4, expiration: expect.any(Number) });
  });

  it('pauses a non-critical control on the bucket after the third repair: detect only, no alert', async () => {
    const config = localConfig();
    const { s3 } = makeClients(config);
    const bucket = uniqueBucketName('fight');
    await resetBucket(s3, bucket, { encryption: { kmsKeyArn: config.kmsKeyArn }, publicAccessBlock: 'all' });
    const sseS3 = () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        }),
      );

    const rounds = [];
    for (let i = 0; i < 4; i++)
      rounds.push(await round(bucket, 's3/put-bucket-encryption-sse-s3.json', sseS3));

    expect(rounds.map(({ result }) => result.outcomes[0]?.status)).toEqual([
      'REMEDIATED',
      'REMEDIATED',
      'REMEDIATED',
      'DETECTED',
    ]);
    expect(JSON.stringify(rounds[2]?.alerts[0]?.notification)).toContain(
      `Warden pauses enforcing s3-encryption-kms on ${bucket} until`,
    );
    expect(rounds[3]?.result.outcomes[0]?.reason).toContain('enforcement paused until');
    expect(rounds[3]?.alerts).toEqual([]);
    // Left as the other actor set it, for the cool-down.
    expect((await readBucketSnapshot(s3, bucket)).encryption).toMatchObject({ algorithm: 'AES256' });
  });
});

describe('root MFA and root password events, through root-guard', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('sends one CRITICAL alert with the root user’s steps for a deactivated root MFA device, and audits it', async () => {
    const config = localConfig();
    const event = retargetEvent(loadSampleEvent('iam/root-deactivate-mfa-device.json'), {
      bucket: '',
      accountId: config.accountId,
    });
    const root = `arn:aws:iam::${config.accountId}:root`;
    const before = await countAuditRecords(makeClients(config).dynamodb, config.auditTable, root);

    const result = await invokeLocal('root-guard', event, config, repoPolicy, QUIET);

    expect(result.outcomes).toMatchObject([
      { controlId: 'root-mfa-removed', status: 'DETECTED', severity: 'CRITICAL' },
    ]);
    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification.content.title).toBe(
      `CRITICAL: Root user's MFA device deactivated in account ${config.accountId}`,
    );
    expect(JSON.stringify(alerts[0]?.notification)).toContain('Assign MFA device');
    expect(await countAuditRecords(makeClients(config).dynamodb, config.auditTable, root)).toBe(before + 1);
  });

  it('says IAM.9 and IAM.6 do not apply once a member account’s root password is removed again', async () => {
    const config = localConfig();
    const organization = makePolicy({
      deployment: {
        mode: 'organization',
        managementAccountId: '111122223333',
        organization: {
          organizationId: 'o-a1b2c3d4e5',
          targetOrganizationalUnitIds: ['ou-ab12-11111111'],
          regions: ['us-east-1'],
        },
      },
    });
    const event = loadSampleEvent('iam/root-create-login-profile-member.json');

    const result = await invokeLocal('root-guard', event, config, organization, QUIET);

    expect(result.outcomes).toMatchObject([{ controlId: 'root-login-profile', status: 'DETECTED' }]);
    const alerts = await takeAlerts();
    expect(alerts[0]?.notification.content.title).toBe(
      'CRITICAL: Root password set in member account 444455556666',
    );
    expect(JSON.stringify(alerts[0]?.notification)).toContain('IAM.9 and IAM.6 do not apply');
  });

  it('ignores an administrator deactivating an IAM user’s MFA device', async () => {
    const config = localConfig();
    const event = retargetEvent(loadSampleEvent('iam/iam-admin-deactivate-user-mfa-device.json'), {
      bucket: '',
      accountId: config.accountId,
    });

    const result = await invokeLocal('root-guard', event, config, repoPolicy, QUIET);

    expect(result.status).toBe('IGNORED');
    expect(await takeAlerts()).toEqual([]);
  });
});
