import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resourceNames } from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { expectedRules, type RegionRules } from '../../../cli/doctor/rules.ts';
import { resolveTarget } from '../../../cli/doctor.ts';
import {
  DEFAULT_ENABLED_REGIONS,
  resolveDeploymentRegions,
} from '../../../infra/config/deployment-regions.ts';
import { ACCOUNT_ID, makePolicy } from '../../fixtures.ts';

const sts = mockClient(STSClient);
const names = resourceNames();
const hubAccount = { partition: 'aws', accountId: ACCOUNT_ID };
const guardArn = (region: string, guard: string) =>
  `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:warden-${guard}`;
const ruleNames = (region: RegionRules) =>
  region.rules.map((rule) => (rule.kind === 'named' ? rule.name : `${rule.kind}:${rule.carries}`));

beforeEach(() => {
  sts.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:user/auditor` });
  vi.stubEnv('AWS_REGION', '');
  vi.stubEnv('AWS_DEFAULT_REGION', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Account-level changes forwarded from the watched regions only (the default is every enabled region). */
const watchedOnly = () => makePolicy({ deployment: { accountLevelRegions: [] } });

/** tamper-guard's rules: fixed names in the hub, `forward-` ones in the forwarders. */
const HUB_TAMPER_RULES = [
  'warden-tamper-kms',
  'warden-tamper-cloudtrail',
  'warden-tamper-rules',
  'warden-tamper-rules-watch',
];
const FORWARDER_TAMPER_RULES = HUB_TAMPER_RULES.map((name) => name.replace('warden-', 'warden-forward-'));

describe('expected rules per region', () => {
  it('puts the hub rules in the home region, targeting the guards with their patterns', () => {
    const regions = resolveDeploymentRegions({ policy: makePolicy(), cliRegion: 'eu-west-1' });

    const [home] = expectedRules(regions, names, hubAccount);

    expect(home).toEqual({
      region: 'eu-west-1',
      stack: 'hub',
      rules: [
        {
          kind: 'targeted',
          carries: 's3',
          targetArn: guardArn('eu-west-1', 's3-guard'),
          eventNames: S3_GUARD_EVENT_NAMES,
        },
        {
          kind: 'targeted',
          carries: 'rootAccessKeyCreated',
          targetArn: guardArn('eu-west-1', 'root-guard'),
          eventNames: ['CreateAccessKey'],
        },
        {
          kind: 'targeted',
          carries: 'rootConsoleSignIn',
          targetArn: guardArn('eu-west-1', 'root-guard'),
          eventNames: ['ConsoleLogin'],
        },
        {
          kind: 'targeted',
          carries: 'rootCredentialChanged',
          targetArn: guardArn('eu-west-1', 'root-guard'),
          eventNames: [
            'DeactivateMFADevice',
            'DeleteVirtualMFADevice',
            'CreateLoginProfile',
            'UpdateLoginProfile',
          ],
        },
        ...HUB_TAMPER_RULES.map((name, index) => ({
          kind: 'named',
          carries: ['tamperKms', 'tamperCloudTrail', 'tamperRules', 'tamperRulesWatch'][index],
          name,
        })),
      ],
    });
  });

  it('adds the us-east-1 forwarder of root events when the hub is elsewhere, though not listed', () => {
    const regions = resolveDeploymentRegions({ policy: watchedOnly(), cliRegion: 'eu-west-1' });

    const rules = expectedRules(regions, names, hubAccount);

    expect(rules.map((region) => [region.region, region.stack, ruleNames(region)])).toEqual([
      [
        'eu-west-1',
        'hub',
        [
          'targeted:s3',
          'targeted:rootAccessKeyCreated',
          'targeted:rootConsoleSignIn',
          'targeted:rootCredentialChanged',
          ...HUB_TAMPER_RULES,
        ],
      ],
      [
        'us-east-1',
        'forwarder',
        [
          'warden-forward-root-access-key-created',
          'warden-forward-root-console-sign-in',
          'warden-forward-root-credential-changed',
          ...FORWARDER_TAMPER_RULES,
        ],
      ],
    ]);
  });

  it('names the S3 forwarding rule in every other watched region, and in us-east-1 when it is watched', () => {
    const policy = makePolicy({
      deployment: {
        homeRegion: 'eu-west-1',
        regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
        accountLevelRegions: [],
      },
    });
    const regions = resolveDeploymentRegions({ policy, cliRegion: 'ap-south-1' });

    const rules = expectedRules(regions, names, hubAccount);

    expect(Object.fromEntries(rules.slice(1).map((region) => [region.region, ruleNames(region)]))).toEqual({
      'eu-central-1': ['warden-forward-s3', ...FORWARDER_TAMPER_RULES],
      'us-east-1': [
        'warden-forward-s3',
        'warden-forward-root-access-key-created',
        'warden-forward-root-console-sign-in',
        'warden-forward-root-credential-changed',
        ...FORWARDER_TAMPER_RULES,
      ],
    });
  });

  it('names the account-level forwarding rule in every other region AWS enables by default', () => {
    const regions = resolveDeploymentRegions({ policy: makePolicy(), cliRegion: 'eu-west-1' });

    const rules = expectedRules(regions, names, hubAccount);

    const byRegion = Object.fromEntries(rules.slice(1).map((region) => [region.region, ruleNames(region)]));
    expect(Object.keys(byRegion).sort()).toEqual(DEFAULT_ENABLED_REGIONS.filter((r) => r !== 'eu-west-1'));
    // An unwatched region forwards changes to its own Warden rules only (the two rules watching each other).
    expect(byRegion['ap-south-1']).toEqual([
      'warden-forward-s3-account-public-access-block',
      ...FORWARDER_TAMPER_RULES.slice(2),
    ]);
    expect(byRegion['us-east-1']).toEqual([
      'warden-forward-s3-account-public-access-block',
      'warden-forward-root-access-key-created',
      'warden-forward-root-console-sign-in',
      'warden-forward-root-credential-changed',
      ...FORWARDER_TAMPER_RULES,
    ]);
  });

  it('expects only the hub when it is in us-east-1 and watches only it', () => {
    const regions = resolveDeploymentRegions({ policy: watchedOnly(), cliRegion: 'us-east-1' });

    const rules = expectedRules(regions, names, hubAccount);

    expect(rules.map((region) => region.region)).toEqual(['us-east-1']);
    expect(rules[0]?.rules).toHaveLength(4 + HUB_TAMPER_RULES.length);
  });
});

describe('doctor target in AWS', () => {
  const options = (policy = makePolicy(), region?: string) => ({
    policy,
    prefix: 'warden',
    target: { kind: 'aws' as const, ...(region ? { region } : {}) },
  });

  it("takes the policy's home region over the CLI region, for clients, topic and rules", async () => {
    const policy = makePolicy({
      deployment: {
        homeRegion: 'eu-west-1',
        regions: ['eu-west-1', 'eu-central-1'],
        accountLevelRegions: [],
      },
    });

    const { target, input } = await resolveTarget(options(policy, 'ap-south-1'));

    expect(target.region).toBe('eu-west-1');
    expect(input.alertTopicArn).toBe(`arn:aws:sns:eu-west-1:${ACCOUNT_ID}:warden-alerts`);
    expect(input.rules.map((region) => region.region)).toEqual(['eu-west-1', 'eu-central-1', 'us-east-1']);
    expect(input.rules[0]?.rules[0]).toMatchObject({ targetArn: guardArn('eu-west-1', 's3-guard') });
  });

  it('falls back to the CLI region (AWS_REGION) as the stacks do', async () => {
    vi.stubEnv('AWS_REGION', 'eu-north-1');

    const { target, input } = await resolveTarget(options(watchedOnly()));

    expect(target.region).toBe('eu-north-1');
    expect(input.rules.map((region) => region.region)).toEqual(['eu-north-1', 'us-east-1']);
  });

  it('builds the guard ARNs in the partition of the caller', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT_ID, Arn: `arn:aws-us-gov:iam::${ACCOUNT_ID}:user/auditor` });
    const policy = makePolicy({
      deployment: { homeRegion: 'us-gov-west-1', accountLevelRegions: ['us-gov-west-1', 'us-gov-east-1'] },
    });

    const { input } = await resolveTarget(options(policy));

    expect(input.rules[0]?.rules[0]).toMatchObject({
      targetArn: `arn:aws-us-gov:lambda:us-gov-west-1:${ACCOUNT_ID}:function:warden-s3-guard`,
    });
  });

  it('rejects a CLI region the policy regions leave out, as synth does', async () => {
    const policy = makePolicy({ deployment: { regions: ['eu-west-1'] } });

    await expect(resolveTarget(options(policy, 'ap-south-1'))).rejects.toThrow(
      /must include the home region/,
    );
  });

  it('fails without any home region instead of guessing us-east-1', async () => {
    await expect(resolveTarget(options())).rejects.toThrow(ConfigError);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});
