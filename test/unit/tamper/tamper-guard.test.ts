import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import { resourceNames } from '#shared/config/names.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { createTamperGuard } from '../../../functions/tamper-guard/tamper-guard.ts';
import {
  ACCOUNT_ID,
  loadApiCall,
  makePolicy,
  OTHER_KEY_ARN,
  WARDEN_KEY_ARN,
  WARDEN_SESSION_ARN,
} from '../../fixtures.ts';
import {
  memoryResourceBaselines,
  KEY_ADMIN_STATEMENT as OWN_ROOT,
  keyPolicyOf as policyOf,
} from '../../support/tamper-fakes.ts';
import { memoOnce, memoryJournal, NOW } from '../remediation/guard-harness.ts';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const cloudTrail = mockClient(CloudTrailClient);
const events = mockClient(EventBridgeClient);

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/management-events`;

function setup(policy: Partial<PolicyInput> = {}) {
  const alerts: Alert[] = [];
  const audits: AuditRecord[] = [];
  const baselines = memoryResourceBaselines();
  const clients = {
    kms: new KMSClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    cloudTrail: new CloudTrailClient({ region: 'us-east-1' }),
    events: new EventBridgeClient({ region: 'us-east-1' }),
  };
  const guard = createTamperGuard({
    config: { kmsKeyArn: WARDEN_KEY_ARN, ownSessionArns: [WARDEN_SESSION_ARN], policy: makePolicy(policy) },
    names: resourceNames(),
    clientsFor: vi.fn(async () => clients),
    alerts: {
      publish: async (alert) => {
        alerts.push(alert);
        return `msg-${alerts.length}`;
      },
    },
    audit: { record: async (records) => void audits.push(...records) },
    baselines,
    journal: memoryJournal().store,
    log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { count: vi.fn() },
    clock: { now: () => NOW },
    once: memoOnce(),
    pause: async () => {},
  });
  return { guard, alerts, audits, baselines };
}

/** A key in the given state, with aliases, and one bucket in the region using it by default. */
function stubKey(keyState: string, aliases: string[], policy = policyOf(OWN_ROOT), arn = WARDEN_KEY_ARN) {
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: KEY_ID, Arn: arn, KeyState: keyState as never, KeyManager: 'CUSTOMER' },
  });
  kms
    .on(ListAliasesCommand)
    .resolves({ Aliases: aliases.map((AliasName) => ({ AliasName, TargetKeyId: KEY_ID })) });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: policy });
  s3.on(ListBucketsCommand).resolves({
    Buckets: [{ Name: 'team-data', BucketRegion: 'us-east-1' }, { Name: 'logs' }],
  });
  s3.on(GetBucketEncryptionCommand, { Bucket: 'team-data' }).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: WARDEN_KEY_ARN } },
      ],
    },
  });
  s3.on(GetBucketEncryptionCommand, { Bucket: 'logs' }).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
}

beforeEach(() => {
  for (const mock of [kms, s3, cloudTrail, events]) mock.reset();
});

describe('tamper-guard: KMS keys', () => {
  it("cancels the deletion of Warden's key, enables it, and alerts CRITICAL naming alias, buckets and who", async () => {
    const { guard, alerts, audits } = setup();
    stubKey('PendingDeletion', ['alias/warden']);
    kms
      .on(DescribeKeyCommand)
      .resolvesOnce({
        KeyMetadata: {
          KeyId: KEY_ID,
          Arn: WARDEN_KEY_ARN,
          KeyState: 'PendingDeletion',
          KeyManager: 'CUSTOMER',
        },
      })
      .resolves({
        KeyMetadata: { KeyId: KEY_ID, Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', KeyManager: 'CUSTOMER' },
      });

    const result = await guard(loadApiCall('kms/schedule-key-deletion.json'));

    expect(kms.commandCalls(CancelKeyDeletionCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ID });
    expect(kms.commandCalls(EnableKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ID });
    expect(result.outcomes.find((o) => o.controlId === 'kms-protected-key')?.status).toBe('REMEDIATED');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.severity).toBe('CRITICAL');
    expect(alerts[0]?.summary).toContain('alias/warden');
    expect(alerts[0]?.summary).toContain('team-data');
    expect(alerts[0]?.actor.arn).toContain('mallory');
    expect(audits.map((record) => record.resource)).toContain(WARDEN_KEY_ARN);
  });

  it('only reports an unprotected key scheduled for deletion, even with the control set to enforce', async () => {
    const { guard, alerts } = setup({ controls: { 'kms-key-deletion': { mode: 'enforce' } } });
    stubKey('PendingDeletion', [], policyOf(OWN_ROOT), OTHER_KEY_ARN);
    s3.on(GetBucketEncryptionCommand, { Bucket: 'team-data' }).resolves({});

    const result = await guard(
      loadApiCall('kms/schedule-key-deletion.json', { requestParameters: { keyId: OTHER_KEY_ARN } }),
    );

    expect(kms.commandCalls(CancelKeyDeletionCommand)).toHaveLength(0);
    expect(result.outcomes.map((o) => [o.controlId, o.status])).toEqual([
      ['kms-protected-key', 'ALREADY_COMPLIANT'],
      ['kms-key-deletion', 'DETECTED'],
    ]);
    expect(alerts[0]?.severity).toBe('MEDIUM');
  });

  it('assumes a bucket depends on a key when not every bucket could be read', async () => {
    const { guard } = setup();
    stubKey('Disabled', []);
    s3.on(GetBucketEncryptionCommand, { Bucket: 'team-data' }).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDenied' }),
    );
    kms
      .on(DescribeKeyCommand)
      .resolvesOnce({
        KeyMetadata: { KeyId: KEY_ID, Arn: WARDEN_KEY_ARN, KeyState: 'Disabled', KeyManager: 'CUSTOMER' },
      })
      .resolves({
        KeyMetadata: { KeyId: KEY_ID, Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', KeyManager: 'CUSTOMER' },
      });

    const result = await guard(loadApiCall('kms/disable-key.json'));

    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(1);
    expect(result.outcomes[0]?.reason).toContain('could not be read');
  });

  it('rolls a public key policy back to the last-known-good copy kept from an earlier event', async () => {
    const { guard, baselines } = setup();
    const good = policyOf(OWN_ROOT);
    stubKey('Enabled', ['alias/warden'], good);
    // A compliant PutKeyPolicy: Warden keeps this policy as the key's last-known-good.
    await guard(loadApiCall('kms/put-key-policy-public.json', { eventId: 'earlier' }));
    expect([...baselines.items.values()].map((item) => item.document)).toEqual([good]);

    const hostile = policyOf(OWN_ROOT, {
      Sid: 'Any',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    kms.reset();
    stubKey('Enabled', ['alias/warden']);
    kms.on(GetKeyPolicyCommand).resolvesOnce({ Policy: hostile }).resolves({ Policy: good });
    const result = await guard(loadApiCall('kms/put-key-policy-public.json'));

    expect(kms.commandCalls(PutKeyPolicyCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ID,
      PolicyName: 'default',
      Policy: good,
    });
    expect(result.outcomes.find((o) => o.controlId === 'kms-key-policy')?.status).toBe('REMEDIATED');
  });
});

describe('tamper-guard: CloudTrail', () => {
  const ALL = [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }];

  it('starts a stopped trail again, by name', async () => {
    const { guard, alerts } = setup();
    cloudTrail.on(GetTrailCommand).resolves({ Trail: { Name: 'management-events', TrailARN: TRAIL_ARN } });
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: ALL });
    cloudTrail.on(GetTrailStatusCommand).resolvesOnce({ IsLogging: false }).resolves({ IsLogging: true });

    const result = await guard(loadApiCall('cloudtrail/stop-logging.json'));

    expect(cloudTrail.commandCalls(StartLoggingCommand)[0]?.args[0].input).toEqual({
      Name: 'management-events',
    });
    expect(result.outcomes[0]).toMatchObject({
      controlId: 'cloudtrail-logging',
      status: 'REMEDIATED',
      resource: TRAIL_ARN,
    });
    expect(alerts[0]?.severity).toBe('CRITICAL');
  });

  it('leaves a trail the policy does not list', async () => {
    const { guard } = setup({ tamper: { trails: ['org-trail'] } });
    cloudTrail.on(GetTrailCommand).resolves({ Trail: { Name: 'management-events', TrailARN: TRAIL_ARN } });
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: ALL });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    const result = await guard(loadApiCall('cloudtrail/stop-logging.json'));

    expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect(result.outcomes[0]?.status).toBe('ALREADY_COMPLIANT');
  });

  it('restores selectors dropping management events from the last-known-good copy', async () => {
    const { guard, baselines } = setup();
    await baselines.write(
      { kind: 'TRAIL-SELECTORS', resource: TRAIL_ARN, accountId: ACCOUNT_ID, region: 'us-east-1' },
      {
        document: JSON.stringify({ EventSelectors: ALL }),
        observedAt: '2026-11-19T00:00:00.000Z',
        eventId: 'e0',
      },
    );
    cloudTrail.on(GetTrailCommand).resolves({ Trail: { Name: 'management-events', TrailARN: TRAIL_ARN } });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolvesOnce({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] })
      .resolves({ EventSelectors: ALL });

    const result = await guard(loadApiCall('cloudtrail/put-event-selectors-no-management.json'));

    expect(cloudTrail.commandCalls(PutEventSelectorsCommand)[0]?.args[0].input).toEqual({
      TrailName: 'management-events',
      EventSelectors: ALL,
    });
    expect(result.outcomes[0]?.status).toBe('REMEDIATED');
  });

  it('reports a deleted trail, saying no other trail logs', async () => {
    const { guard, alerts } = setup();
    cloudTrail
      .on(GetTrailCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'TrailNotFoundException' }));
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const result = await guard(loadApiCall('cloudtrail/delete-trail.json'));

    expect(result.outcomes[0]).toMatchObject({ controlId: 'cloudtrail-trail-deleted', status: 'DETECTED' });
    expect(alerts[0]?.summary).toContain('No other trail');
  });
});

describe("tamper-guard: Warden's rules", () => {
  it('enables a disabled Warden rule again', async () => {
    const { guard } = setup();
    events
      .on(DescribeRuleCommand)
      .resolvesOnce({ Name: 'warden-tamper-kms', State: 'DISABLED' })
      .resolves({ Name: 'warden-tamper-kms', State: 'ENABLED' });
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 't', Arn: 'arn:aws:lambda:x' }] });

    const result = await guard(loadApiCall('events/disable-rule.json'));

    expect(events.commandCalls(EnableRuleCommand)[0]?.args[0].input).toEqual({ Name: 'warden-tamper-kms' });
    expect(result.outcomes.map((o) => o.status)).toEqual(['REMEDIATED']);
  });

  it('reports a deleted rule with the deployment step that restores it', async () => {
    const { guard, alerts } = setup();
    events
      .on(DescribeRuleCommand)
      .rejects(Object.assign(new Error('no'), { name: 'ResourceNotFoundException' }));

    await guard(loadApiCall('events/delete-rule.json'));

    expect(alerts[0]?.severity).toBe('CRITICAL');
    expect(alerts[0]?.summary).toContain('npx cdk deploy WardenHub');
  });

  it.each([
    ["a rule that is not Warden's", 'events/disable-rule-not-warden.json', {}],
    [
      'a CloudFormation deployment',
      'events/put-rule-pattern.json',
      { actor: { type: 'AssumedRole', invokedBy: 'cloudformation.amazonaws.com' } },
    ],
  ])('ignores %s', async (_label, file, overrides) => {
    const { guard } = setup();

    const result = await guard(loadApiCall(file, overrides));

    expect(result.status).toBe('IGNORED');
    expect(events.calls()).toHaveLength(0);
  });
});

describe('tamper-guard: the pipeline rules', () => {
  it('ignores a failed call', async () => {
    const { guard } = setup();

    expect((await guard(loadApiCall('kms/schedule-key-deletion-failed-call.json'))).status).toBe('IGNORED');
  });

  it("ignores tamper-guard's own calls", async () => {
    const { guard } = setup();
    const own = { type: 'AssumedRole', arn: WARDEN_SESSION_ARN };

    expect((await guard(loadApiCall('kms/put-key-policy-public.json', { actor: own }))).status).toBe(
      'IGNORED',
    );
  });

  it('rejects an event naming no key', async () => {
    const { guard } = setup();

    expect((await guard(loadApiCall('kms/disable-key.json', { requestParameters: {} }))).status).toBe(
      'REJECTED',
    );
  });

  it('acts and alerts once per event id', async () => {
    const { guard, alerts } = setup();
    stubKey('Disabled', ['alias/warden']);
    const call = loadApiCall('kms/disable-key.json');

    await guard(call);
    await guard(call);

    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(1);
    expect(alerts).toHaveLength(1);
  });
});
