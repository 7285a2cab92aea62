import { randomUUID } from 'node:crypto';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '#shared/aws/clients.ts';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import { localTrailName } from '../../cli/local/tamper-setup.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  resetBucket,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * tamper-guard's bundle against the emulator: the key, trail and rule repairs moto supports
 * (CancelKeyDeletion/EnableKey, PutKeyPolicy, StopLogging/StartLogging, PutEventSelectors,
 * DisableRule/EnableRule), each read back from moto afterwards.
 */
const policy = loadPolicyFile('warden.policy.yaml');
const suffix = () => randomUUID().slice(0, 8);

function clients() {
  const config = localConfig();
  const target = {
    endpoint: config.endpoint,
    region: config.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return {
    ...makeClients(config),
    cloudTrail: new CloudTrailClient(clientConfig(target)),
    events: new EventBridgeClient(clientConfig(target)),
  };
}

/** A sample event as if made now in the emulator's account, with these request parameters. */
function eventOf(file: string, requestParameters: Record<string, unknown>) {
  const event = loadSampleEvent(file);
  const account = localConfig().accountId;
  event.account = account;
  event.id = randomUUID();
  event.detail.eventID = randomUUID();
  event.detail.recipientAccountId = account;
  event.detail.requestParameters = requestParameters;
  return event;
}

const invoke = (event: unknown): Promise<GuardResult> =>
  invokeLocal('tamper-guard', event, localConfig(), policy, QUIET);

const alertText = async () => JSON.stringify((await takeAlerts()).map((alert) => alert.notification));

describe('tamper-guard against the emulator: KMS keys', () => {
  let keyId: string;
  let bucket: string;

  beforeAll(async () => {
    const { kms, s3 } = clients();
    const key = (await kms.send(new CreateKeyCommand({ Description: 'team data key' }))).KeyMetadata;
    if (!key?.KeyId || !key.Arn) throw new Error('moto returned no key');
    keyId = key.KeyId;
    bucket = uniqueBucketName('tamper');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await resetBucket(s3, bucket, { encryption: { kmsKeyArn: key.Arn }, publicAccessBlock: 'all' });
    await takeAlerts();
  });

  it('cancels the deletion of a key a bucket uses, enables it, and alerts CRITICAL naming the bucket', async () => {
    const { kms } = clients();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));

    const result = await invoke(eventOf('kms/schedule-key-deletion.json', { keyId, pendingWindowInDays: 7 }));

    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(KeyMetadata?.KeyState).toBe('Enabled');
    expect(result.outcomes.find((o) => o.controlId === 'kms-protected-key')?.status).toBe('REMEDIATED');
    const alerts = await alertText();
    expect(alerts).toContain('CRITICAL');
    expect(alerts).toContain(bucket);
  });

  it("removes a statement granting the key to anyone, keeping the account's own", async () => {
    const { kms } = clients();
    const own = JSON.parse(
      (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '{}',
    );
    const hostile = {
      ...own,
      Statement: [
        ...[own.Statement].flat(),
        { Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    };
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(hostile) }),
    );

    const result = await invoke(
      eventOf('kms/put-key-policy-public.json', {
        keyId,
        policyName: 'default',
        policy: JSON.stringify(hostile),
      }),
    );

    const now = JSON.parse(
      (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '{}',
    );
    expect([now.Statement].flat().map((s: { Sid?: string }) => s.Sid)).not.toContain('Anyone');
    expect([now.Statement].flat()).toEqual([own.Statement].flat());
    expect(result.outcomes[0]?.status).toBe('REMEDIATED');
  });

  it('only reports a key no bucket uses: it stays scheduled for deletion', async () => {
    const { kms } = clients();
    const spare = (await kms.send(new CreateKeyCommand({ Description: 'unused' }))).KeyMetadata
      ?.KeyId as string;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: spare, PendingWindowInDays: 7 }));

    const result = await invoke(
      eventOf('kms/schedule-key-deletion.json', { keyId: spare, pendingWindowInDays: 7 }),
    );

    expect((await kms.send(new DescribeKeyCommand({ KeyId: spare }))).KeyMetadata?.KeyState).toBe(
      'PendingDeletion',
    );
    expect(result.outcomes.find((o) => o.controlId === 'kms-key-deletion')?.status).toBe('DETECTED');
    await takeAlerts();
  });
});

describe('tamper-guard against the emulator: CloudTrail', () => {
  const trail = `tamper-trail-${suffix()}`;
  const ALL = [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true, DataResources: [] }];

  beforeAll(async () => {
    const { s3, cloudTrail } = clients();
    const bucket = uniqueBucketName('trail');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await cloudTrail.send(
      new CreateTrailCommand({ Name: trail, S3BucketName: bucket, IsMultiRegionTrail: true }),
    );
    await cloudTrail.send(new StartLoggingCommand({ Name: trail }));
    await cloudTrail.send(new PutEventSelectorsCommand({ TrailName: trail, EventSelectors: ALL }));
    await takeAlerts();
  });

  it('starts a stopped trail again', async () => {
    const { cloudTrail } = clients();
    await cloudTrail.send(new StopLoggingCommand({ Name: trail }));

    const result = await invoke(eventOf('cloudtrail/stop-logging.json', { name: trail }));

    expect((await cloudTrail.send(new GetTrailStatusCommand({ Name: trail }))).IsLogging).toBe(true);
    expect(result.outcomes[0]).toMatchObject({ controlId: 'cloudtrail-logging', status: 'REMEDIATED' });
    expect(await alertText()).toContain(trail);
  });

  it('restores the last-known-good selectors after they stop recording management events', async () => {
    const { cloudTrail } = clients();
    // A compliant change first: Warden keeps these selectors as the trail's last-known-good.
    const kept = await invoke(
      eventOf('cloudtrail/put-event-selectors-no-management.json', { trailName: trail }),
    );
    expect(kept.outcomes[0]?.status).toBe('ALREADY_COMPLIANT');
    await cloudTrail.send(
      new PutEventSelectorsCommand({
        TrailName: trail,
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }],
      }),
    );

    const result = await invoke(
      eventOf('cloudtrail/put-event-selectors-no-management.json', { trailName: trail }),
    );

    const { EventSelectors } = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: trail }));
    expect(EventSelectors?.[0]?.IncludeManagementEvents).toBe(true);
    expect(result.outcomes[0]?.status).toBe('REMEDIATED');
    await takeAlerts();
  });
});

describe('tamper-guard against the emulator: a deleted trail', () => {
  it("reports it CRITICAL, naming the trail that still logs (local mode's)", async () => {
    const { s3, cloudTrail } = clients();
    const bucket = uniqueBucketName('gone-trail');
    const trail = `gone-trail-${suffix()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await cloudTrail.send(new CreateTrailCommand({ Name: trail, S3BucketName: bucket }));
    await cloudTrail.send(new DeleteTrailCommand({ Name: trail }));
    await takeAlerts();

    const result = await invoke(eventOf('cloudtrail/delete-trail.json', { name: trail }));

    expect(result.outcomes[0]).toMatchObject({ controlId: 'cloudtrail-trail-deleted', status: 'DETECTED' });
    const alerts = await alertText();
    expect(alerts).toContain('CRITICAL');
    expect(alerts).toContain(`${localTrailName('warden')} still log`);
  });
});

describe("tamper-guard against the emulator: Warden's rules", () => {
  const rule = `warden-hub-itest-${suffix()}`;

  beforeAll(async () => {
    await clients().events.send(
      new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: ['aws.s3'] }) }),
    );
    await takeAlerts();
  });

  it('enables a disabled Warden rule again', async () => {
    const { events } = clients();
    await events.send(new DisableRuleCommand({ Name: rule }));

    const result = await invoke(eventOf('events/disable-rule.json', { name: rule }));

    expect((await events.send(new DescribeRuleCommand({ Name: rule }))).State).toBe('ENABLED');
    expect(result.outcomes.map((o) => [o.controlId, o.status])).toEqual([
      ['warden-rule-enabled', 'REMEDIATED'],
    ]);
    await takeAlerts();
  });

  it('reports a deleted Warden rule with the deployment that restores it', async () => {
    await clients().events.send(new DeleteRuleCommand({ Name: rule }));

    const result = await invoke(eventOf('events/delete-rule.json', { name: rule }));

    expect(result.outcomes[0]).toMatchObject({ controlId: 'warden-rule-intact', status: 'DETECTED' });
    expect(await alertText()).toContain('npx cdk deploy WardenHub');
  });
});
