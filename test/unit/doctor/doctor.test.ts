import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resourceNames } from '#shared/config/names.ts';
import {
  checkAlertTopic,
  checkKmsKey,
  checkSlackSecret,
  checkTrail,
  doctorExitCode,
  formatDoctorReport,
  recordsManagementWrites,
} from '../../../cli/doctor/checks.ts';
import { checkRules, type RegionRules } from '../../../cli/doctor/rules.ts';

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
  beforeEach(() => {
    // What AWS reports for a trail created without selectors: every management event.
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  });

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

  it('is OK when another trail is logging although one trail status cannot be read', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        { Name: 'theirs', TrailARN: 'arn:theirs', IsOrganizationTrail: true },
        { Name: 'ours', TrailARN: 'arn:ours', IsMultiRegionTrail: true },
      ],
    });
    cloudTrail.on(GetTrailStatusCommand, { Name: 'arn:theirs' }).rejects(named('AccessDeniedException'));
    cloudTrail.on(GetTrailStatusCommand, { Name: 'arn:ours' }).resolves({ IsLogging: true });

    expect(await checkTrail(deps())).toMatchObject({ status: 'OK', detail: expect.stringContaining('ours') });
  });

  it('fails naming the trail whose status cannot be read when no other trail is logging', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'theirs', TrailARN: 'arn:theirs', IsOrganizationTrail: true }],
    });
    cloudTrail.on(GetTrailStatusCommand).rejects(named('AccessDeniedException'));

    expect(await checkTrail(deps())).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/theirs.*AccessDeniedException/),
    });
  });

  it('warns when the logging trail records read-only management events', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'reads', TrailARN: 'arn:reads', IsMultiRegionTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] });

    expect(await checkTrail(deps())).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining(
        'reads is logging, but its event selectors leave out management write events',
      ),
    });
  });

  it('warns when the logging trail has advanced selectors for data events only', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'data', TrailARN: 'arn:data', IsMultiRegionTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ],
    });

    expect((await checkTrail(deps())).status).toBe('WARN');
  });

  it('prefers a trail recording management writes over one that does not', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        { Name: 'data', TrailARN: 'arn:data', IsMultiRegionTrail: true },
        { Name: 'mgmt', TrailARN: 'arn:mgmt', IsMultiRegionTrail: true },
      ],
    });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail
      .on(GetEventSelectorsCommand, { TrailName: 'arn:data' })
      .resolves({ EventSelectors: [{ IncludeManagementEvents: false }] });

    expect(await checkTrail(deps())).toMatchObject({ status: 'OK', detail: expect.stringContaining('mgmt') });
  });

  it('warns when the selectors of the logging trail cannot be read', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'org', TrailARN: 'arn:org', IsOrganizationTrail: true }] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail.on(GetEventSelectorsCommand).rejects(named('AccessDeniedException'));

    expect(await checkTrail(deps())).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('could not be read (AccessDeniedException'),
    });
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

describe("management write events in a trail's selectors", () => {
  const management = { Field: 'eventCategory', Equals: ['Management'] };

  it.each([
    ['basic, all events', { EventSelectors: [{ ReadWriteType: 'All' as const }] }],
    ['basic, write-only', { EventSelectors: [{ ReadWriteType: 'WriteOnly' as const }] }],
    ['advanced, every management event', { AdvancedEventSelectors: [{ FieldSelectors: [management] }] }],
    [
      'advanced, management writes',
      {
        AdvancedEventSelectors: [{ FieldSelectors: [management, { Field: 'readOnly', Equals: ['false'] }] }],
      },
    ],
    [
      'advanced, management events that are not reads',
      {
        AdvancedEventSelectors: [
          { FieldSelectors: [management, { Field: 'readOnly', NotEquals: ['true'] }] },
        ],
      },
    ],
    ['none reported (the default selector)', {}],
  ])('are recorded: %s', (_case, selectors) => {
    expect(recordsManagementWrites(selectors)).toBe(true);
  });

  it.each([
    ['basic, read-only', { EventSelectors: [{ ReadWriteType: 'ReadOnly' as const }] }],
    ['basic, management events off', { EventSelectors: [{ IncludeManagementEvents: false }] }],
    [
      'advanced, management reads',
      { AdvancedEventSelectors: [{ FieldSelectors: [management, { Field: 'readOnly', Equals: ['true'] }] }] },
    ],
    [
      'advanced, management events that are not writes',
      {
        AdvancedEventSelectors: [
          { FieldSelectors: [management, { Field: 'readOnly', NotEquals: ['false'] }] },
        ],
      },
    ],
    [
      'advanced, data events',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] },
    ],
  ])('are not recorded: %s', (_case, selectors) => {
    expect(recordsManagementWrites(selectors)).toBe(false);
  });
});

describe('rules check', () => {
  const S3_GUARD = 'arn:aws:lambda:eu-west-1:123456789012:function:warden-s3-guard';
  const ROOT_GUARD = 'arn:aws:lambda:eu-west-1:123456789012:function:warden-root-guard';
  const pattern = (...eventName: string[]) => JSON.stringify({ detail: { eventName } });
  const hub: RegionRules = {
    region: 'eu-west-1',
    stack: 'hub',
    rules: [
      {
        kind: 'targeted',
        carries: 's3',
        targetArn: S3_GUARD,
        eventNames: ['PutBucketEncryption', 'CreateBucket'],
      },
      {
        kind: 'targeted',
        carries: 'rootAccessKeyCreated',
        targetArn: ROOT_GUARD,
        eventNames: ['CreateAccessKey'],
      },
      { kind: 'targeted', carries: 'rootConsoleSignIn', targetArn: ROOT_GUARD, eventNames: ['ConsoleLogin'] },
    ],
  };
  const forwarder: RegionRules = {
    region: 'us-east-1',
    stack: 'forwarder',
    rules: [
      { kind: 'named', carries: 'rootAccessKeyCreated', name: 'warden-forward-root-access-key-created' },
      { kind: 'named', carries: 'rootConsoleSignIn', name: 'warden-forward-root-console-sign-in' },
    ],
  };
  const hubRulesDeployed = () => {
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: S3_GUARD })
      .resolves({ RuleNames: ['warden-hub-S3'] });
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: ROOT_GUARD })
      .resolves({ RuleNames: ['warden-hub-Key', 'warden-hub-SignIn'] });
    events.on(DescribeRuleCommand, { Name: 'warden-hub-S3' }).resolves({
      Name: 'warden-hub-S3',
      State: 'ENABLED',
      EventPattern: pattern('PutBucketEncryption', 'CreateBucket'),
    });
    events
      .on(DescribeRuleCommand, { Name: 'warden-hub-Key' })
      .resolves({ Name: 'warden-hub-Key', State: 'ENABLED', EventPattern: pattern('CreateAccessKey') });
    events
      .on(DescribeRuleCommand, { Name: 'warden-hub-SignIn' })
      .resolves({ Name: 'warden-hub-SignIn', State: 'ENABLED', EventPattern: pattern('ConsoleLogin') });
  };

  it('is OK when each hub rule targets its guard with its pattern, and asks by target', async () => {
    hubRulesDeployed();

    expect(await checkRules(deps(), hub)).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining('3 rule(s)'),
    });
    expect(events.commandCalls(ListRuleNamesByTargetCommand).map((c) => c.args[0].input.TargetArn)).toEqual([
      S3_GUARD,
      ROOT_GUARD,
    ]);
  });

  it('fails naming the hub rule that is missing', async () => {
    hubRulesDeployed();
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: ROOT_GUARD })
      .resolves({ RuleNames: ['warden-hub-SignIn'] });

    const result = await checkRules(deps(), hub);

    expect(result.status).toBe('FAIL');
    expect(result.detail).toBe(
      'hub: missing rootAccessKeyCreated rule targeting warden-root-guard: those events are not delivered',
    );
  });

  it('does not take any rule named warden* for the hub rules', async () => {
    events.on(ListRulesCommand).resolves({ Rules: [{ Name: 'warden-other', State: 'ENABLED' }] });
    events.on(ListRuleNamesByTargetCommand).resolves({ RuleNames: [] });

    expect(await checkRules(deps(), hub)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/missing s3 rule targeting warden-s3-guard, rootAccessKeyCreated/),
    });
  });

  it('follows pagination of the rules by target', async () => {
    hubRulesDeployed();
    events
      .on(ListRuleNamesByTargetCommand, { TargetArn: ROOT_GUARD })
      .resolvesOnce({ RuleNames: ['warden-hub-Key'], NextToken: 'n' })
      .resolvesOnce({ RuleNames: ['warden-hub-SignIn'] });

    expect((await checkRules(deps(), hub)).status).toBe('OK');
  });

  it('is OK when every forwarding rule exists by name and is enabled', async () => {
    events.on(DescribeRuleCommand).callsFake(({ Name }) => ({ Name, State: 'ENABLED' }));

    expect((await checkRules(deps(), forwarder)).status).toBe('OK');
    expect(events.commandCalls(DescribeRuleCommand).map((c) => c.args[0].input.Name)).toEqual([
      'warden-forward-root-access-key-created',
      'warden-forward-root-console-sign-in',
    ]);
  });

  it('fails naming the forwarding rule that does not exist', async () => {
    events.on(DescribeRuleCommand).callsFake(({ Name }) => ({ Name, State: 'ENABLED' }));
    events
      .on(DescribeRuleCommand, { Name: 'warden-forward-root-console-sign-in' })
      .rejects(named('ResourceNotFoundException'));

    expect(await checkRules(deps(), forwarder)).toMatchObject({
      status: 'FAIL',
      detail: 'forwarder: missing warden-forward-root-console-sign-in: those events are not delivered',
    });
  });

  it('warns naming a rule that is not enabled', async () => {
    events.on(DescribeRuleCommand).callsFake(({ Name }) => ({ Name, State: 'ENABLED' }));
    events
      .on(DescribeRuleCommand, { Name: 'warden-forward-root-access-key-created' })
      .resolves({ Name: 'warden-forward-root-access-key-created', State: 'DISABLED' });

    expect(await checkRules(deps(), forwarder)).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('1 of 2 rules not enabled: warden-forward-root-access-key-created'),
    });
  });

  it('fails when the rules cannot be read', async () => {
    events.on(DescribeRuleCommand).rejects(named('AccessDeniedException'));

    expect(await checkRules(deps(), forwarder)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('could not read rules (AccessDeniedException'),
    });
  });

  describe('in local mode (no stack deploys rules to the emulator)', () => {
    const local: RegionRules = {
      region: 'us-east-1',
      stack: 'local',
      rules: [{ kind: 'prefixed', carries: 'any', prefix: 'warden' }],
    };

    it('is OK with an enabled rule named by prefix, asking by name prefix', async () => {
      events.on(ListRulesCommand).resolves({ Rules: [{ Name: 'warden-hub-S3', State: 'ENABLED' }] });

      expect((await checkRules(deps(), local)).status).toBe('OK');
      expect(events.commandCalls(ListRulesCommand)[0]?.args[0].input.NamePrefix).toBe('warden');
    });

    it('follows pagination', async () => {
      events
        .on(ListRulesCommand)
        .resolvesOnce({ Rules: [{ Name: 'warden-a', State: 'ENABLED' }], NextToken: 'n' })
        .resolvesOnce({ Rules: [{ Name: 'warden-b', State: 'DISABLED' }] });

      expect(await checkRules(deps(), local)).toMatchObject({
        status: 'WARN',
        detail: expect.stringContaining('warden-b'),
      });
    });

    it('fails when the region has no Warden rule', async () => {
      events.on(ListRulesCommand).resolves({ Rules: [] });

      expect((await checkRules(deps(), local)).status).toBe('FAIL');
    });
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
