import { describe, expect, it } from 'vitest';
import { S3_ACCOUNT_EVENT_NAMES, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { DEFAULT_ENABLED_REGIONS } from '../../infra/config/deployment-regions.ts';
import {
  MEMBER_ROLE_USERS,
  SPOKE_ACCOUNT_ACTIONS,
  SPOKE_BUCKET_ACTIONS,
  SPOKE_SWEEP_ACTIONS,
  SWEEP_MEMBER_ROLE_USER,
} from '../../infra/stacks/spoke-stack.ts';
import { createWardenApp } from '../../infra/warden-app.ts';
import { ORG, synthOrganization } from './support/org-synth.ts';
import { policyFileWith, throwawayBundles } from './support/synth-hub.ts';

const { orgTemplate, spokeTemplate, hubTemplate, organization } = synthOrganization();
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
type Properties = Record<string, any>;
type Statement = {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
  Principal?: unknown;
};
const actionsOf = (s: Statement) => [s.Action].flat();

describe('organization stack: StackSet', () => {
  const [stackSet] = Object.values(orgTemplate.findResources('AWS::CloudFormation::StackSet'));
  const props = stackSet?.Properties;

  it('is service-managed, deploys automatically to new accounts and removes stacks of leaving ones', () => {
    expect(props.PermissionModel).toBe('SERVICE_MANAGED');
    expect(props.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
    expect(props.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(props.OperationPreferences).toMatchObject({ RegionConcurrencyType: 'PARALLEL' });
  });

  it('targets the OUs of the policy file, its regions first, then every other default-enabled region', () => {
    expect(props.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: ORG.ous },
        Regions: [
          ...ORG.regions,
          ...DEFAULT_ENABLED_REGIONS.filter((region) => !ORG.regions.includes(region)),
        ],
      },
    ]);
  });

  it('calls as itself in the management account and as delegated administrator elsewhere', () => {
    expect(props.CallAs).toEqual({ 'Fn::If': ['InManagementAccount', 'SELF', 'DELEGATED_ADMIN'] });
    orgTemplate.hasCondition('InManagementAccount', {
      'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ORG.managementAccountId],
    });
  });

  it('passes the hub account and region, the organization, the role name and the role region', () => {
    expect(props.Parameters).toEqual([
      { ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
      { ParameterKey: 'HubRegion', ParameterValue: { Ref: 'AWS::Region' } },
      { ParameterKey: 'OrganizationId', ParameterValue: ORG.organizationId },
      { ParameterKey: 'MemberRoleName', ParameterValue: 'warden-remediation' },
      { ParameterKey: 'RoleRegion', ParameterValue: ORG.regions[0] },
    ]);
  });

  it('embeds the spoke template as it is, needing no assets', () => {
    expect(JSON.parse(props.TemplateBody)).toEqual(organization.spokeTemplate);
    expect(props.TemplateBody).not.toMatch(/cdk-bootstrap|AssetParameters|BootstrapVersion/);
    expect(props.TemplateBody.length).toBeLessThan(51_200);
  });
});

describe('organization stack: hub bus policy', () => {
  it('lets principals of the organization, and only them, put events on the default bus', () => {
    orgTemplate.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG.organizationId } },
      },
    });
  });
});

describe('hub in organization mode', () => {
  const statements = Object.values(hubTemplate.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );

  it('lets s3-guard and the sweep worker assume the member role by name, in organization accounts only', () => {
    const assume = statements.filter((s) => actionsOf(s).includes('sts:AssumeRole'));
    // One per member role user (s3-guard, tamper-guard, ...) and the sweep worker.
    expect(assume).toHaveLength(MEMBER_ROLE_USERS.length + 1);
    for (const statement of assume) {
      expect(JSON.stringify(statement.Resource)).toContain(':iam::*:role/warden-remediation');
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORG.organizationId } });
    }
  });

  it("keeps the hub key to the hub account: member buckets get their own account's key from the spoke", () => {
    const keys = Object.values(hubTemplate.findResources('AWS::KMS::Key'));
    const statements = keys.flatMap(
      (key) => (key.Properties as { KeyPolicy: { Statement: Statement[] } }).KeyPolicy.Statement,
    );
    expect(JSON.stringify(statements)).not.toContain('aws:PrincipalOrgID');
  });
});

describe('spoke template', () => {
  const resources = spokeTemplate.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Properties; Condition?: string }
  >;

  it('contains only rules, IAM roles, the bucket key, a dead-letter queue, alarms and the install mark: no Lambda, no assets', () => {
    expect([...new Set(Object.values(resources).map((r) => r.Type))].sort()).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::Events::Rule',
      'AWS::IAM::Group',
      'AWS::IAM::Role',
      'AWS::KMS::Alias',
      'AWS::KMS::Key',
      'AWS::SNS::Topic',
      'AWS::SNS::TopicPolicy',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
    ]);
  });

  it("creates Warden's bucket key in every member account and region, by the alias s3-guard looks up", () => {
    const key = Object.values(resources).find((r) => r.Type === 'AWS::KMS::Key');
    const alias = Object.values(resources).find((r) => r.Type === 'AWS::KMS::Alias');
    expect(key?.Condition).toBe('CreatesBucketKey');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    expect(alias?.Condition).toBe('CreatesBucketKey');
    expect(alias?.Properties.AliasName).toBe('alias/warden');
    // Not in the hub account, whose keys the hub and forwarder stacks make under the same alias.
    expect(JSON.stringify(spokeTemplate.toJSON().Conditions.CreatesBucketKey)).toContain('HubAccountId');
  });

  it('creates the remediation role in one region per account, trusted only by the hub guard and sweep roles in the organization', () => {
    const [role] = Object.values(resources).filter((r) => r.Properties.RoleName);
    expect(role?.Condition).toBe('CreatesMemberRole');
    expect(role?.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    // One statement per hub role (s3-guard, tamper-guard, the sweep worker), each under the same conditions.
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual(
      [...MEMBER_ROLE_USERS, SWEEP_MEMBER_ROLE_USER].map((fn) => ({
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: {
          AWS: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::',
                { Ref: 'HubAccountId' },
                `:role/warden-${fn}-role`,
              ],
            ],
          },
        },
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
          StringLike: { 'sts:RoleSessionName': 'warden-*' },
        },
      })),
    );
  });

  it('grants the remediation role exactly the S3 configuration actions s3-guard performs and what the sweep lists', () => {
    const [role] = Object.values(resources).filter((r) => r.Properties.RoleName);
    // The S3Configuration policy (tamper-guard's TamperRepairs is tested with tamper-guard).
    const statements = role?.Properties.Policies.filter(
      (p: { PolicyName: string }) => p.PolicyName === 'S3Configuration',
    ).flatMap(
      (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
    ) as Statement[];
    expect(statements.map((s) => [actionsOf(s).sort(), s.Resource])).toEqual([
      [
        [...SPOKE_BUCKET_ACTIONS].sort(),
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*']] },
      ],
      [[...SPOKE_ACCOUNT_ACTIONS].sort(), '*'],
      [[...SPOKE_SWEEP_ACTIONS].sort(), '*'],
      [
        ['kms:DescribeKey'],
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':kms:*:', { Ref: 'AWS::AccountId' }, ':key/*'],
          ],
        },
      ],
    ]);
    expect(statements[0]?.Condition).toEqual({
      StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(statements.at(-1)?.Condition).toEqual({
      StringEquals: { 'kms:RequestAlias': 'alias/warden' },
    });
  });

  it('grants no wildcard action and no object action anywhere', () => {
    const all = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .flatMap((r) =>
        (r.Properties.Policies ?? []).flatMap(
          (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement as Statement[],
        ),
      )
      .flatMap(actionsOf);
    for (const action of all) {
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/Object/);
    }
  });

  it("forwards S3 events with the hub pattern, excluding Warden's sessions in the hub and in the member account", () => {
    const rule = resources.S3Events;
    expect(rule?.Condition).toBe('ForwardsS3Events');
    const pattern = rule?.Properties.EventPattern;
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventName).toEqual([...S3_GUARD_EVENT_NAMES]);
    expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
    const ignored = JSON.stringify(pattern.detail.$or);
    expect(ignored).toContain('assumed-role/warden-s3-guard-role/warden-s3-guard');
    expect(ignored).toContain('{"Ref":"MemberRoleName"}');
    expect(ignored).toContain('/warden-*');
  });

  it('forwards root events only from us-east-1, with root-guard patterns', () => {
    expect(resources.RootAccessKeyEvents?.Properties.EventPattern).toEqual(
      JSON.parse(JSON.stringify(ROOT_GUARD_EVENT_PATTERNS.rootAccessKeyCreated)),
    );
    expect(resources.RootSignInEvents?.Properties.EventPattern).toEqual(
      JSON.parse(JSON.stringify(ROOT_GUARD_EVENT_PATTERNS.rootConsoleSignIn)),
    );
    expect(resources.RootCredentialEvents?.Properties.EventPattern).toEqual(
      JSON.parse(JSON.stringify(ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged)),
    );
    for (const id of ['RootAccessKeyEvents', 'RootSignInEvents', 'RootCredentialEvents'])
      expect(resources[id]?.Condition).toBe('ForwardsRootEvents');
    const condition = JSON.stringify(spokeTemplate.toJSON().Conditions.ForwardsRootEvents);
    expect(condition).toContain('"us-east-1"');
  });

  it('targets the hub default bus through a role that may only put events there', () => {
    for (const id of ['S3Events', 'RootAccessKeyEvents', 'RootSignInEvents', 'RootCredentialEvents']) {
      const [target] = resources[id]?.Properties.Targets ?? [];
      expect(JSON.stringify(target.Arn)).toContain(':event-bus/default');
      expect(JSON.stringify(target.Arn)).toContain('{"Ref":"HubAccountId"}');
      expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ForwarderRole/), 'Arn'] });
    }
    const forwarder = Object.entries(resources).find(([id]) => id.startsWith('ForwarderRole'))?.[1];
    expect(forwarder?.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: resources.S3Events?.Properties.Targets[0].Arn,
      },
    ]);
  });

  it('forwards S3 events only from the watched regions, and account-level changes from all the others', () => {
    const conditions = spokeTemplate.toJSON().Conditions;
    const watched = JSON.stringify(conditions.WatchesS3);
    for (const region of ORG.regions) expect(watched).toContain(`"${region}"`);
    expect(watched).not.toContain('"ap-south-1"');
    expect(JSON.stringify(conditions.ForwardsS3Events)).toContain('{"Condition":"WatchesS3"}');
    expect(conditions.ForwardsAccountLevelEvents).toEqual({
      'Fn::And': [{ 'Fn::Not': [{ Condition: 'WatchesS3' }] }, expect.anything()],
    });
    const rule = resources.AccountLevelEvents;
    expect(rule?.Condition).toBe('ForwardsAccountLevelEvents');
    expect(rule?.Properties.EventPattern.detail.eventName).toEqual([...S3_ACCOUNT_EVENT_NAMES]);
    expect(rule?.Properties.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    expect(JSON.stringify(rule?.Properties.EventPattern.detail.$or)).toContain('{"Ref":"MemberRoleName"}');
  });

  it('creates no bucket key where no bucket is repaired', () => {
    expect(JSON.stringify(spokeTemplate.toJSON().Conditions.CreatesBucketKey)).toContain(
      '{"Condition":"WatchesS3"}',
    );
  });

  it('never forwards the hub bus to itself', () => {
    const condition = JSON.stringify(spokeTemplate.toJSON().Conditions.ForwardsS3Events);
    expect(condition).toContain('"Fn::Not"');
    expect(condition).toContain('{"Ref":"HubAccountId"}');
  });
});

describe('organization policy validation at synth', () => {
  it('names every missing organization setting', () => {
    const policyFile = policyFileWith('version: 1\ndeployment:\n  mode: organization\n');
    expect(() => createWardenApp({ policyFile, env: {} })).toThrow(
      /organizationId[\s\S]*managementAccountId[\s\S]*targetOrganizationalUnitIds[\s\S]*regions/,
    );
  });

  it('refuses a malformed OU id naming the field', () => {
    const policyFile = policyFileWith(
      'version: 1\ndeployment:\n  organization:\n    targetOrganizationalUnitIds: [finance]\n',
    );
    expect(() => createWardenApp({ policyFile, env: {} })).toThrow(/targetOrganizationalUnitIds/);
  });

  it('adds no organization stack in account mode', () => {
    const policyFile = policyFileWith('version: 1\n');
    const app = createWardenApp({ policyFile, env: {}, bundleDirs: throwawayBundles() });
    expect(app.organization).toBeUndefined();
  });
});
