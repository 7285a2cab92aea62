import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { findOutsideGrants } from '#shared/model/key-policy.ts';
import { loadSampleEvent } from '../../cli/local/sample-events.ts';
import { matchEvents } from './support/event-pattern-matcher.ts';
import { logicalId } from './support/logical-id.ts';
import { synthOrganization } from './support/org-synth.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { policyFileWith, synthApp } from './support/synth-hub.ts';

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
};

const { template, forwarderTemplates } = synthApp({
  context: { homeRegion: 'eu-west-1', regions: 'eu-west-1,eu-central-1' },
});

const rulesOf = (source: Template) =>
  Object.values(source.findResources('AWS::Events::Rule')).map(
    (rule) =>
      rule.Properties as {
        Name?: string;
        EventPattern: Record<string, unknown>;
        Targets: { Arn: unknown }[];
      },
  );
const ruleNamed = (source: Template, name: string) => {
  const rule = rulesOf(source).find((candidate) => candidate.Name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};

function tamperStatements(source: Template): Statement[] {
  const roleId = logicalId(source, 'AWS::IAM::Role', 'TamperGuardFunctionRole');
  return Object.values(source.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
const withAction = (statements: Statement[], action: string) =>
  statements.filter((statement) => [statement.Action].flat().includes(action));

/** A sample event, renamed to concern `rule`. */
function ruleEvent(file: string, rule: string) {
  const event = loadSampleEvent(file);
  const parameters = event.detail.requestParameters as Record<string, unknown>;
  if ('rule' in parameters) parameters.rule = rule;
  else parameters.name = rule;
  return event;
}

describe('tamper-guard rules in the hub', () => {
  it('has four rules with fixed names, each delivering to tamper-guard', () => {
    const functionId = logicalId(template, 'AWS::Lambda::Function', 'TamperGuardFunction');
    for (const name of [
      'warden-tamper-kms',
      'warden-tamper-cloudtrail',
      'warden-tamper-rules',
      'warden-tamper-rules-watch',
    ])
      expect(ruleNamed(template, name).Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } }),
      ]);
  });

  it('match the KMS and CloudTrail tamper samples, not their failed calls', () => {
    const kms = ruleNamed(template, 'warden-tamper-kms').EventPattern;
    const trail = ruleNamed(template, 'warden-tamper-cloudtrail').EventPattern;

    expect(
      matchEvents(
        kms,
        [
          'kms/schedule-key-deletion.json',
          'kms/disable-key.json',
          'kms/put-key-policy-public.json',
          'kms/schedule-key-deletion-failed-call.json',
        ].map(loadSampleEvent),
      ),
    ).toEqual([true, true, true, false]);
    expect(
      matchEvents(
        trail,
        [
          'cloudtrail/stop-logging.json',
          'cloudtrail/delete-trail.json',
          'cloudtrail/put-event-selectors-no-management.json',
        ].map(loadSampleEvent),
      ),
    ).toEqual([true, true, true]);
  });

  it("carry changes to each other's rule but neither to its own, so disabling either is seen", () => {
    const rules = ruleNamed(template, 'warden-tamper-rules').EventPattern;
    const watch = ruleNamed(template, 'warden-tamper-rules-watch').EventPattern;
    const events = [
      ruleEvent('events/disable-rule.json', 'warden-tamper-rules'),
      ruleEvent('events/disable-rule.json', 'warden-tamper-rules-watch'),
      ruleEvent('events/delete-rule.json', 'warden-hub-S3GuardEventsRule4B1C9D2E-1A2B3C4D5E6F'),
      ruleEvent('events/remove-targets.json', 'warden-forward-s3'),
      ruleEvent('events/remove-targets.json', 'warden-tamper-rules'),
      ruleEvent('events/disable-rule.json', 'team-nightly-report'),
    ];

    expect(matchEvents(rules, events)).toEqual([false, true, true, true, false, false]);
    expect(matchEvents(watch, events)).toEqual([true, false, false, false, true, false]);
  });
});

describe('tamper-guard permissions', () => {
  const statements = tamperStatements(template);

  it('cancels deletion, enables and re-policies only keys S3 can use, of this account', () => {
    for (const action of ['kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:PutKeyPolicy'])
      expect(withAction(statements, action)).toEqual([
        expect.objectContaining({
          Condition: {
            StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' },
          },
          Resource: {
            'Fn::Join': ['', ['arn:aws:kms:*:', { Ref: 'AWS::AccountId' }, ':key/*']],
          },
        }),
      ]);
  });

  it("enables only Warden's own rules", () => {
    expect(withAction(statements, 'events:EnableRule').map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining(':rule/warden-*'),
    ]);
  });

  it('starts only the trails the policy names, when it names some', () => {
    const named = synthApp({
      policyFile: policyFileWith(
        'version: 1\ntamper:\n  trails: [org-trail, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit"]\n',
      ),
    }).template;

    const start = withAction(tamperStatements(named), 'cloudtrail:StartLogging');

    // A name in whichever region the trail lives; an ARN exactly.
    expect(start).toHaveLength(1);
    const resources = JSON.stringify(start[0]?.Resource);
    expect(resources).toContain('"arn:aws:cloudtrail:*:",{"Ref":"AWS::AccountId"},":trail/org-trail"');
    expect(resources).toContain('"arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit"');
    expect(resources).not.toContain('trail/*');
    expect(withAction(statements, 'cloudtrail:StartLogging').map((s) => JSON.stringify(s.Resource))).toEqual([
      expect.stringContaining(':trail/*'),
    ]);
  });

  it('may not delete, schedule deletion of or disable anything', () => {
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    for (const forbidden of [
      'kms:ScheduleKeyDeletion',
      'kms:DisableKey',
      'cloudtrail:StopLogging',
      'cloudtrail:DeleteTrail',
      'events:DisableRule',
      'events:DeleteRule',
      'kms:*',
      'events:*',
    ])
      expect(actions).not.toContain(forbidden);
  });
});

describe('tamper events from other regions', () => {
  it('each forwarder forwards KMS, CloudTrail and rule events, and its two rule-watching rules watch each other', () => {
    const forwarder = forwarderTemplates['eu-central-1'] as Template;
    const rules = ruleNamed(forwarder, 'warden-forward-tamper-rules').EventPattern;
    const watch = ruleNamed(forwarder, 'warden-forward-tamper-rules-watch').EventPattern;
    ruleNamed(forwarder, 'warden-forward-tamper-kms');
    ruleNamed(forwarder, 'warden-forward-tamper-cloudtrail');
    const events = [
      ruleEvent('events/disable-rule.json', 'warden-forward-tamper-rules'),
      ruleEvent('events/disable-rule.json', 'warden-forward-tamper-rules-watch'),
      ruleEvent('events/disable-rule.json', 'warden-forward-s3'),
    ];

    expect(matchEvents(rules, events)).toEqual([false, true, true]);
    expect(matchEvents(watch, events)).toEqual([true, false, false]);
  });

  it("the hub's bus admits the forwarders' tamper rules", () => {
    const policy = JSON.stringify(template.findResources('AWS::Events::EventBusPolicy'));

    expect(policy).toContain(':rule/warden-forward-tamper-kms');
    expect(policy).toContain(':rule/warden-forward-tamper-rules-watch');
  });
});

describe('tamper-guard in an organization', () => {
  const { spokeTemplate, hubTemplate } = synthOrganization();

  it('the member role trusts tamper-guard and allows its narrow repairs', () => {
    const role = Object.values(spokeTemplate.findResources('AWS::IAM::Role')).find((candidate) =>
      candidate.Properties.Policies?.some((p: { PolicyName: string }) => p.PolicyName === 'TamperRepairs'),
    );
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('warden-tamper-guard-role');
    const repairs = role?.Properties.Policies.find(
      (p: { PolicyName: string }) => p.PolicyName === 'TamperRepairs',
    );
    expect(withAction(repairs.PolicyDocument.Statement, 'kms:CancelKeyDeletion')[0]?.Condition).toEqual({
      StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' },
    });
  });

  it('spokes forward tamper events under fixed names', () => {
    const names = rulesOf(spokeTemplate).map((rule) => rule.Name);

    expect(names).toEqual(
      expect.arrayContaining([
        'warden-spoke-tamper-kms',
        'warden-spoke-tamper-cloudtrail',
        'warden-spoke-tamper-rules',
        'warden-spoke-tamper-rules-watch',
      ]),
    );
  });

  it('tamper-guard may assume the member role', () => {
    expect(JSON.stringify(tamperStatements(hubTemplate))).toContain('AssumeMemberRoleInTheOrganization');
  });
});

describe("Warden's own key policies, as tamper-guard judges them", () => {
  it('grant nothing outside the account, so they become last-known-good copies and are never rolled back', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      const policy = JSON.stringify(resolvePseudo(key.Properties.KeyPolicy));
      expect(
        findOutsideGrants(policy, {
          accountId: '123456789012',
          allowedAccountIds: [],
          allowedOrganizationIds: [],
        }),
      ).toEqual([]);
    }
  });
});
