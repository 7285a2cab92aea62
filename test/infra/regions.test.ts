import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { S3_ACCOUNT_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { DEFAULT_ENABLED_REGIONS, resolveDeploymentRegions } from '../../infra/config/deployment-regions.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { policyFileWith, synthApp } from './support/synth-hub.ts';

type Rule = { Properties: { Name?: string; EventPattern: unknown; Targets: Array<Record<string, unknown>> } };
const rulesOf = (template: Template) => Object.values(template.findResources('AWS::Events::Rule')) as Rule[];
const ROOT_PATTERNS = Object.values(ROOT_GUARD_EVENT_PATTERNS).map((p) => JSON.parse(JSON.stringify(p)));
const isRootPattern = (rule: Rule) =>
  ROOT_PATTERNS.some((p) => JSON.stringify(p) === JSON.stringify(rule.Properties.EventPattern));
const isS3Pattern = (rule: Rule) =>
  (rule.Properties.EventPattern as { source: string[] }).source[0] === 'aws.s3';

/** tamper-guard's forwarding rules: KMS, CloudTrail, and the two rules on Warden's rules. */
const TAMPER_RULES = [
  'warden-forward-tamper-kms',
  'warden-forward-tamper-cloudtrail',
  'warden-forward-tamper-rules',
  'warden-forward-tamper-rules-watch',
];

describe('hub in us-east-1 (watching only it, account-level changes from it alone)', () => {
  const { hub, forwarders, template } = synthApp({
    context: { homeRegion: 'us-east-1', accountLevelRegions: 'us-east-1' },
  });

  it('needs no forwarder and no bus policy', () => {
    expect(hub.region).toBe('us-east-1');
    expect(forwarders).toEqual([]);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it("puts root-guard's rules in us-east-1, targeting the function directly", () => {
    const rootRules = rulesOf(template).filter(isRootPattern);
    expect(rootRules).toHaveLength(ROOT_PATTERNS.length);
    for (const rule of rootRules)
      expect(rule.Properties.Targets[0]?.Arn).toEqual(
        arnOf(template, 'AWS::Lambda::Function', 'RootGuardFunction'),
      );
  });
});

describe('hub in eu-west-1 watching eu-west-1, eu-central-1 and us-east-1', () => {
  const { hub, forwarders, template, forwarderTemplates } = synthApp({
    env: { account: '123456789012' },
    context: {
      homeRegion: 'eu-west-1',
      regions: 'eu-west-1,eu-central-1,us-east-1',
      accountLevelRegions: 'eu-west-1,eu-central-1,us-east-1',
    },
  });
  const hubS3Pattern = rulesOf(template).find(isS3Pattern)?.Properties.EventPattern;
  const east = forwarderTemplates['us-east-1'] as Template;
  const central = forwarderTemplates['eu-central-1'] as Template;

  it('has the hub in eu-west-1 and one forwarder per other region, none in the hub region', () => {
    expect(hub.region).toBe('eu-west-1');
    expect(forwarders.map((stack) => stack.region).sort()).toEqual(['eu-central-1', 'us-east-1']);
    expect(forwarders.every((stack) => stack.stackName === 'warden-forwarder')).toBe(true);
    expect(forwarders.every((stack) => stack.dependencies.includes(hub))).toBe(true);
  });

  it("puts root-guard's rules in us-east-1, forwarding to the hub's default bus with a role", () => {
    const rootRules = rulesOf(east).filter(isRootPattern);
    expect(rootRules.map((rule) => rule.Properties.Name).sort()).toEqual([
      'warden-forward-root-access-key-created',
      'warden-forward-root-console-sign-in',
      'warden-forward-root-credential-changed',
    ]);
    for (const rule of rootRules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
          RoleArn: arnOf(east, 'AWS::IAM::Role', 'ForwardingRole'),
        }),
      ]);
    }
    expect(rulesOf(central).some(isRootPattern)).toBe(false);
  });

  it('has the same root-guard rules in the hub, targeting the function, for the forwarded events', () => {
    const rootRules = rulesOf(template).filter(isRootPattern);
    expect(rootRules).toHaveLength(ROOT_PATTERNS.length);
    for (const rule of rootRules)
      expect(rule.Properties.Targets[0]?.Arn).toEqual(
        arnOf(template, 'AWS::Lambda::Function', 'RootGuardFunction'),
      );
  });

  it("forwards S3 events with exactly the hub rule's pattern, own-role exclusion and errorCode included", () => {
    for (const forwarder of [east, central]) {
      const s3Rules = rulesOf(forwarder).filter(isS3Pattern);
      expect(s3Rules).toHaveLength(1);
      expect(s3Rules[0]?.Properties.EventPattern).toEqual(hubS3Pattern);
      expect(s3Rules[0]?.Properties.Name).toBe('warden-forward-s3');
    }
    expect(JSON.stringify(hubS3Pattern)).toContain('"errorCode":[{"exists":false}]');
    expect(JSON.stringify(hubS3Pattern)).toContain('role/warden-s3-guard-role');
  });

  it('lets each forwarding role only put events on the hub bus', () => {
    for (const forwarder of [east, central]) {
      const statements = Object.values(forwarder.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement,
      );
      expect(statements).toEqual([
        {
          Action: 'events:PutEvents',
          Effect: 'Allow',
          Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
        },
      ]);
    }
  });

  it('admits exactly those forwarding rules on the hub bus, by ARN', () => {
    const [policy] = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policy?.Properties.Statement).toEqual({
      Sid: 'warden-forwarders',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      Condition: {
        ArnEquals: {
          'aws:SourceArn': [
            'arn:aws:events:eu-central-1:123456789012:rule/warden-forward-s3',
            ...TAMPER_RULES.map((rule) => `arn:aws:events:eu-central-1:123456789012:rule/${rule}`),
            'arn:aws:events:us-east-1:123456789012:rule/warden-forward-s3',
            'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-access-key-created',
            'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-console-sign-in',
            'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-credential-changed',
            ...TAMPER_RULES.map((rule) => `arn:aws:events:us-east-1:123456789012:rule/${rule}`),
          ],
        },
      },
    });
  });

  it('dead-letters undeliverable forwards in an encrypted, TLS-only queue with an alarm', () => {
    for (const forwarder of [east, central]) {
      forwarder.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      for (const rule of rulesOf(forwarder))
        expect(rule.Properties.Targets[0]?.DeadLetterConfig).toEqual({
          Arn: arnOf(forwarder, 'AWS::SQS::Queue', 'UndeliveredEvents'),
        });
      forwarder.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      forwarder.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: logicalId(forwarder, 'AWS::SNS::Topic', 'AlarmTopic') }],
      });
    }
  });

  it("keeps Warden's bucket key in every watched region, under the hub key's alias, rotation on", () => {
    for (const forwarder of [east, central]) {
      forwarder.resourceCountIs('AWS::KMS::Key', 1);
      forwarder.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      forwarder.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/warden' });
    }
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/warden' });
  });

  it("lets s3-guard describe this account's Warden keys in other regions only when asked by that alias", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (policy) =>
        (policy.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } })
          .PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'DescribeWardenKeysByAlias',
        Action: 'kms:DescribeKey',
        Resource: 'arn:aws:kms:*:123456789012:key/*',
        Condition: { StringEquals: { 'kms:RequestAlias': 'alias/warden' } },
      }),
    );
  });
});

describe('hub in eu-west-1 with the default regions (the home region alone)', () => {
  const { forwarders, forwarderTemplates, template } = synthApp({
    env: { account: '123456789012' },
    context: { homeRegion: 'eu-west-1' },
  });
  const unwatched = DEFAULT_ENABLED_REGIONS.filter((region) => region !== 'eu-west-1');
  const accountLevelRule = (region: string) =>
    rulesOf(forwarderTemplates[region] as Template).filter(isS3Pattern);

  it('has a forwarder in every other region AWS enables by default, us-east-1 included', () => {
    expect(forwarders.map((stack) => stack.region).sort()).toEqual([...unwatched].sort());
  });

  it('forwards from each of them the account-level Block Public Access changes, and no other S3 event', () => {
    for (const region of unwatched) {
      const [rule, ...others] = accountLevelRule(region);
      expect(others).toEqual([]);
      expect(rule?.Properties.Name).toBe('warden-forward-s3-account-public-access-block');
      const pattern = rule?.Properties.EventPattern as { detail: Record<string, unknown> };
      expect(pattern.detail.eventName).toEqual([...S3_ACCOUNT_EVENT_NAMES]);
      expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
      expect(JSON.stringify(pattern.detail.$or)).toContain(
        'arn:aws:sts::123456789012:assumed-role/warden-s3-guard-role/warden-s3-guard',
      );
      expect(rule?.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
          DeadLetterConfig: {
            Arn: arnOf(forwarderTemplates[region] as Template, 'AWS::SQS::Queue', 'UndeliveredEvents'),
          },
        }),
      ]);
    }
    expect(S3_ACCOUNT_EVENT_NAMES).toEqual(['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock']);
  });

  it('keeps the root events in us-east-1, next to its account-level rule', () => {
    const rules = rulesOf(forwarderTemplates['us-east-1'] as Template);
    expect(rules.filter(isRootPattern)).toHaveLength(ROOT_PATTERNS.length);
    // And tamper-guard's four (KMS and CloudTrail events too: trails usually live in us-east-1).
    expect(rules).toHaveLength(ROOT_PATTERNS.length + 1 + TAMPER_RULES.length);
  });

  it('needs no bucket key where S3 is not watched', () => {
    for (const region of unwatched)
      (forwarderTemplates[region] as Template).resourceCountIs('AWS::KMS::Key', 0);
  });

  it('admits exactly the forwarding rules on the hub bus, by ARN', () => {
    const [policy] = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    const admitted = [...(policy?.Properties.Statement.Condition.ArnEquals['aws:SourceArn'] ?? [])].sort();
    expect(admitted).toEqual(
      [
        ...unwatched.map(
          (region) =>
            `arn:aws:events:${region}:123456789012:rule/warden-forward-s3-account-public-access-block`,
        ),
        'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-access-key-created',
        'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-console-sign-in',
        'arn:aws:events:us-east-1:123456789012:rule/warden-forward-root-credential-changed',
        // Every forwarder's two rules on its Warden rules; KMS and CloudTrail from us-east-1 (root events' region).
        ...unwatched.flatMap((region) =>
          TAMPER_RULES.slice(2).map((rule) => `arn:aws:events:${region}:123456789012:rule/${rule}`),
        ),
        ...TAMPER_RULES.slice(0, 2).map((rule) => `arn:aws:events:us-east-1:123456789012:rule/${rule}`),
      ].sort(),
    );
  });
});

describe('deployment regions', () => {
  const policy = (yaml = '') => loadPolicyFile(policyFileWith(`version: 1\n${yaml}`));

  it('takes the home region from the context, then the policy, then the CLI, then us-east-1', () => {
    const withHome = policy('deployment:\n  homeRegion: eu-north-1\n');
    expect(
      resolveDeploymentRegions({ policy: withHome, contextHomeRegion: 'ap-south-1', cliRegion: 'us-west-2' })
        .homeRegion,
    ).toBe('ap-south-1');
    expect(resolveDeploymentRegions({ policy: withHome, cliRegion: 'us-west-2' }).homeRegion).toBe(
      'eu-north-1',
    );
    expect(resolveDeploymentRegions({ policy: policy(), cliRegion: 'us-west-2' }).homeRegion).toBe(
      'us-west-2',
    );
    expect(resolveDeploymentRegions({ policy: policy() }).homeRegion).toBe('us-east-1');
  });

  it('reads regions from the policy file', () => {
    const regions = resolveDeploymentRegions({
      policy: policy(
        'deployment:\n  homeRegion: eu-west-1\n  regions: [eu-west-1, eu-west-3]\n  accountLevelRegions: [af-south-1]\n',
      ),
    });
    expect(regions.watchedRegions).toEqual(['eu-west-1', 'eu-west-3']);
    expect(regions.accountLevelRegions).toEqual(['eu-west-1', 'eu-west-3', 'af-south-1']);
    expect(regions.forwarders).toEqual([
      { region: 'af-south-1', s3: false, root: false, accountLevel: true },
      { region: 'eu-west-3', s3: true, root: false, accountLevel: false },
      { region: 'us-east-1', s3: false, root: true, accountLevel: false },
    ]);
  });

  it('forwards account-level changes from every default-enabled region unless told otherwise', () => {
    const regions = resolveDeploymentRegions({ policy: policy('deployment:\n  homeRegion: eu-west-1\n') });
    expect([...regions.accountLevelRegions].sort()).toEqual([...DEFAULT_ENABLED_REGIONS].sort());
    expect(regions.forwarders.filter((forwarder) => forwarder.accountLevel)).toHaveLength(
      DEFAULT_ENABLED_REGIONS.length - 1,
    );
  });

  it('takes the account-level regions from the context before the policy, and [] as the watched regions only', () => {
    const listed = policy('deployment:\n  homeRegion: eu-west-1\n  accountLevelRegions: []\n');
    expect(resolveDeploymentRegions({ policy: listed }).accountLevelRegions).toEqual(['eu-west-1']);
    expect(
      resolveDeploymentRegions({ policy: listed, contextAccountLevelRegions: 'eu-south-1' })
        .accountLevelRegions,
    ).toEqual(['eu-west-1', 'eu-south-1']);
  });

  it('refuses the commercial default for a hub in another partition, and repeated names', () => {
    expect(() =>
      resolveDeploymentRegions({ policy: policy('deployment:\n  homeRegion: us-gov-west-1\n') }),
    ).toThrow(/deployment\.accountLevelRegions/);
    expect(() =>
      resolveDeploymentRegions({
        policy: policy(
          'deployment:\n  homeRegion: eu-west-1\n  accountLevelRegions: [eu-west-1, eu-west-1]\n',
        ),
      }),
    ).toThrow(/twice/);
  });

  it('refuses regions without the home region, naming both', () => {
    expect(() => policy('deployment:\n  homeRegion: eu-west-1\n  regions: [eu-west-3]\n')).toThrow(
      /must include the home region eu-west-1[\s\S]*deployment\.regions/,
    );
    expect(() =>
      resolveDeploymentRegions({
        policy: policy(),
        contextHomeRegion: 'eu-west-1',
        contextRegions: 'us-east-1',
      }),
    ).toThrow(/must include the home region eu-west-1/);
  });

  it('refuses malformed or repeated region names', () => {
    expect(() => policy('deployment:\n  regions: [Europe]\n')).toThrow(
      /region name[\s\S]*deployment\.regions\[0\]/,
    );
    expect(() => policy('deployment:\n  regions: [eu-west-1, eu-west-1]\n')).toThrow(/more than once/);
    expect(() => resolveDeploymentRegions({ policy: policy(), contextRegions: 'eu-west-1,nowhere' })).toThrow(
      /regions/,
    );
  });
});
