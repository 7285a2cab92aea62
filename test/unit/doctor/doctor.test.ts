import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resourceNames } from '#shared/config/names.ts';
import {
  checkAlertTopic,
  checkKmsKey,
  checkRules,
  checkSlackSecret,
  checkTrail,
  doctorExitCode,
  formatDoctorReport,
} from '#shared/doctor/doctor.ts';

const cloudTrail = mockClient(CloudTrailClient);
const events = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);
const kms = mockClient(KMSClient);
const sns = mockClient(SNSClient);
const names = resourceNames();
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:warden-alerts';
const SECRET = 'warden/slack-webhook-url';
const deps = () => ({
  cloudTrail: new CloudTrailClient({}),
  eventsIn: () => new EventBridgeClient({}),
  secrets: new SecretsManagerClient({}),
  kms: new KMSClient({}),
  sns: new SNSClient({}),
});
const named = (name: string) => Object.assign(new Error(name), { name });

beforeEach(() => {
  for (const mock of [cloudTrail, events, secrets, kms, sns]) mock.reset();
});

describe('trail check', () => {
  it('is OK with a logging multi-region trail', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'main', TrailARN: 'arn:t', IsMultiRegionTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });

    expect(await checkTrail(deps())).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining('multi-region'),
    });
  });

  it('is OK with a logging organization trail', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'org', IsOrganizationTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });

    expect((await checkTrail(deps())).detail).toContain('organization trail');
  });

  it('warns when the only logging trail covers one region', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'local', IsMultiRegionTrail: false }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });

    expect((await checkTrail(deps())).status).toBe('WARN');
  });

  it('fails when trails exist but none is logging', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'off', IsMultiRegionTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    expect(await checkTrail(deps())).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('none is logging'),
    });
  });

  it('fails without any trail, pointing at createTrail', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    expect(await checkTrail(deps())).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('createTrail'),
    });
  });
});

describe('rules check', () => {
  it('is OK when Warden rules exist and are enabled, asking by name prefix', async () => {
    events.on(ListRulesCommand).resolves({ Rules: [{ Name: 'warden-hub-S3', State: 'ENABLED' }] });

    expect((await checkRules(deps(), { names }, 'eu-west-1')).status).toBe('OK');
    expect(events.commandCalls(ListRulesCommand)[0]?.args[0].input.NamePrefix).toBe('warden');
  });

  it('follows pagination', async () => {
    events
      .on(ListRulesCommand)
      .resolvesOnce({ Rules: [{ Name: 'warden-a', State: 'ENABLED' }], NextToken: 'n' })
      .resolvesOnce({ Rules: [{ Name: 'warden-b', State: 'DISABLED' }] });

    expect(await checkRules(deps(), { names }, 'eu-west-1')).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('warden-b'),
    });
  });

  it('fails when the region has no Warden rule', async () => {
    events.on(ListRulesCommand).resolves({ Rules: [] });

    expect((await checkRules(deps(), { names }, 'ap-south-1')).status).toBe('FAIL');
  });
});

describe('Slack secret check', () => {
  const input = { slackSecretId: SECRET };

  it('is OK with a Slack webhook URL, and never shows it', async () => {
    const url = 'https://hooks.slack.com/services/T0/B0/very-secret-token';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: url });

    const result = await checkSlackSecret(deps(), input);

    expect(result.status).toBe('OK');
    expect(JSON.stringify(result)).not.toContain('very-secret-token');
  });

  it.each(['', 'placeholder', 'CHANGE_ME', 'https://hooks.slack.com/services/XXX'])(
    'fails on %j',
    async (value) => {
      secrets.on(GetSecretValueCommand).resolves({ SecretString: value });

      expect((await checkSlackSecret(deps(), input)).status).toBe('FAIL');
    },
  );

  it('warns on a URL that is not Slack (local capture server)', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'http://127.0.0.1:5056/services/T/B/x' });

    expect((await checkSlackSecret(deps(), input)).status).toBe('WARN');
  });

  it('fails when the secret does not exist', async () => {
    secrets.on(GetSecretValueCommand).rejects(named('ResourceNotFoundException'));

    expect(await checkSlackSecret(deps(), input)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('does not exist'),
    });
  });
});

describe('KMS key check', () => {
  it('is OK when the key is Enabled', async () => {
    kms
      .on(DescribeKeyCommand, { KeyId: 'alias/warden' })
      .resolves({ KeyMetadata: { KeyId: 'k', KeyState: 'Enabled' } });

    expect((await checkKmsKey(deps(), { names })).status).toBe('OK');
  });

  it.each(['Disabled', 'PendingDeletion'] as const)('fails when the key is %s', async (state) => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyState: state } });

    expect(await checkKmsKey(deps(), { names })).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining(state),
    });
  });

  it('fails when the alias does not exist', async () => {
    kms.on(DescribeKeyCommand).rejects(named('NotFoundException'));

    expect((await checkKmsKey(deps(), { names })).status).toBe('FAIL');
  });
});

describe('alert topic check', () => {
  const input = { alertTopicArn: TOPIC };

  it('is OK with a confirmed subscription', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1` }] });

    expect((await checkAlertTopic(deps(), input)).status).toBe('OK');
  });

  it('warns when subscriptions are only pending', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation' }] });

    expect((await checkAlertTopic(deps(), input)).status).toBe('WARN');
  });

  it('warns without subscribers', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });

    expect((await checkAlertTopic(deps(), input)).status).toBe('WARN');
  });

  it('fails when the topic does not exist', async () => {
    sns.on(ListSubscriptionsByTopicCommand).rejects(named('NotFoundException'));

    expect(await checkAlertTopic(deps(), input)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('does not exist'),
    });
  });
});

describe('report', () => {
  it('exits 0 only when every check is OK', () => {
    const ok = { check: 'a', status: 'OK', detail: '' } as const;
    expect(doctorExitCode([ok, ok])).toBe(0);
    expect(doctorExitCode([ok, { ...ok, status: 'WARN' }])).toBe(1);
    expect(formatDoctorReport([ok])).toMatch(/^OK {2,}a/);
  });
});
