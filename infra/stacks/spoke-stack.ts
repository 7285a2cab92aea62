import {
  Aws,
  CfnCondition,
  CfnParameter,
  CfnResource,
  DefaultStackSynthesizer,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { FUNCTION_NAMES, type FunctionName, type ResourceNames } from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS, ROOT_GUARD_EVENT_REGION } from '#shared/root/root-event-patterns.ts';
import { ANY_KEY_OF_THE_ACCOUNT_FINDING } from '../constructs/guard-function.ts';
import { WardenKey } from '../constructs/warden-key.ts';
import { cloudTrailApiCallPattern } from '../events/cloudtrail-pattern.ts';

/**
 * Exactly the S3 configuration calls s3-guard makes in a member account (shared/s3/**), as IAM
 * actions: reads and writes of default encryption (Put also covers DeleteBucketEncryption), bucket
 * Block Public Access, policy, ACL and Object Ownership (Put also covers the Delete calls), and the
 * account-level Block Public Access. No object action, no `s3:*`.
 */
export const SPOKE_BUCKET_ACTIONS = [
  's3:GetEncryptionConfiguration',
  's3:PutEncryptionConfiguration',
  's3:GetBucketPublicAccessBlock',
  's3:PutBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:GetBucketAcl',
  's3:PutBucketAcl',
  's3:GetBucketOwnershipControls',
  's3:PutBucketOwnershipControls',
] as const;
/** Account-level actions: IAM defines no resource type for them, so their resource is `*`. */
export const SPOKE_ACCOUNT_ACTIONS = [
  's3:GetAccountPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
] as const;

/** Hub functions that repair member buckets and so may assume the member role (root-guard uses AssumeRoot). */
export const MEMBER_ROLE_USERS: readonly FunctionName[] = ['s3-guard'];

/** The StackSet passes these; one template serves every account and region. */
export const SPOKE_PARAMETERS = {
  hubAccountId: 'HubAccountId',
  hubRegion: 'HubRegion',
  organizationId: 'OrganizationId',
  memberRoleName: 'MemberRoleName',
  roleRegion: 'RoleRegion',
} as const;

export interface SpokeStackProps extends StackProps {
  readonly names: ResourceNames;
}

/**
 * What every member account gets in every region, rolled out by the hub's StackSet: rules that
 * forward the events the hub's guards handle to the hub's default event bus (S3 in every region;
 * root activity in us-east-1, where IAM and sign-in events are delivered), the role those rules
 * use, and (in one region per account) the remediation role only the hub's guard roles may assume.
 * No Lambda, no assets: the template is embedded in the StackSet as it is.
 */
export class SpokeStack extends Stack {
  readonly memberRole: iam.Role;
  readonly forwarderRole: iam.Role;
  readonly rules: events.CfnRule[] = [];
  /** Warden's key for this account's buckets in this region (not in the hub's own account). */
  readonly bucketKey: WardenKey;

  constructor(scope: Construct, id: string, props: SpokeStackProps) {
    // No bootstrap resources exist in member accounts: no bootstrap version rule either.
    super(scope, id, {
      ...props,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    const names = props.names;
    const parameter = (name: string, description: string, allowedPattern: string) =>
      new CfnParameter(this, name, { type: 'String', description, allowedPattern }).valueAsString;
    const hubAccountId = parameter(SPOKE_PARAMETERS.hubAccountId, 'Account of the Warden hub', '^\\d{12}$');
    const hubRegion = parameter(
      SPOKE_PARAMETERS.hubRegion,
      'Region of the Warden hub',
      '^[a-z]{2}(-[a-z]+)+-\\d$',
    );
    const organizationId = parameter(
      SPOKE_PARAMETERS.organizationId,
      'The organization',
      '^o-[a-z0-9]{10,32}$',
    );
    const memberRoleName = parameter(
      SPOKE_PARAMETERS.memberRoleName,
      'Role the hub assumes',
      '^[\\w+=,.@-]{1,64}$',
    );
    const roleRegion = parameter(
      SPOKE_PARAMETERS.roleRegion,
      'The one region per account that creates the (global) remediation role',
      '^[a-z]{2}(-[a-z]+)+-\\d$',
    );

    const hubRoleArn = (fn: FunctionName) =>
      `arn:${Aws.PARTITION}:iam::${hubAccountId}:role/${names.functionRole(fn)}`;
    const hubBusArn = `arn:${Aws.PARTITION}:events:${hubRegion}:${hubAccountId}:event-bus/default`;
    const memberRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${memberRoleName}`;

    const createsRole = new CfnCondition(this, 'CreatesMemberRole', {
      expression: Fn.conditionEquals(Aws.REGION, roleRegion),
    });
    // The hub's own rules already watch its own bus: a rule must not forward a bus to itself.
    const isHubBus = Fn.conditionAnd(
      Fn.conditionEquals(Aws.ACCOUNT_ID, hubAccountId),
      Fn.conditionEquals(Aws.REGION, hubRegion),
    );
    const forwardsS3 = new CfnCondition(this, 'ForwardsS3Events', { expression: Fn.conditionNot(isHubBus) });
    // The hub's account has its keys from the hub and forwarder stacks (same alias): none here.
    const createsBucketKey = new CfnCondition(this, 'CreatesBucketKey', {
      expression: Fn.conditionNot(Fn.conditionEquals(Aws.ACCOUNT_ID, hubAccountId)),
    });
    this.bucketKey = new WardenKey(this, 'BucketKey', { alias: names.kmsKeyAlias, purpose: 'buckets' });
    for (const resource of this.bucketKey.node.findAll())
      if (resource instanceof CfnResource) resource.cfnOptions.condition = createsBucketKey;
    const forwardsRoot = new CfnCondition(this, 'ForwardsRootEvents', {
      expression: Fn.conditionAnd(
        Fn.conditionEquals(Aws.REGION, ROOT_GUARD_EVENT_REGION),
        Fn.conditionNot(isHubBus),
      ),
    });

    this.memberRole = new iam.Role(this, 'MemberRole', {
      roleName: memberRoleName,
      description: 'Warden: the hub guards repair S3 settings of this account through this role',
      assumedBy: new iam.PrincipalWithConditions(
        new iam.CompositePrincipal(...MEMBER_ROLE_USERS.map((fn) => new iam.ArnPrincipal(hubRoleArn(fn)))),
        { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      ),
      // An event is handled within the guard's 60 s timeout; credentials are cached for reuse.
      inlinePolicies: {
        S3Configuration: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'BucketConfiguration',
              actions: [...SPOKE_BUCKET_ACTIONS],
              resources: [`arn:${Aws.PARTITION}:s3:::*`],
              // Bucket ARNs name no account: only this account's buckets.
              conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
            }),
            new iam.PolicyStatement({
              sid: 'AccountBlockPublicAccess',
              actions: [...SPOKE_ACCOUNT_ACTIONS],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              // s3-guard checks and resolves this account's Warden key of the bucket's region.
              sid: 'DescribeWardenKeysByAlias',
              actions: ['kms:DescribeKey'],
              resources: [`arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`],
              conditions: { StringEquals: { 'kms:RequestAlias': names.kmsKeyAlias } },
            }),
          ],
        }),
      },
    });
    (this.memberRole.node.defaultChild as CfnResource).cfnOptions.condition = createsRole;
    NagSuppressions.addResourceSuppressions(this.memberRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Warden repairs whichever bucket of this account an event names, so the bucket-configuration actions apply ' +
          'to every bucket ARN (no object ARNs, no s3:*); the account-level Block Public Access actions have no ' +
          'resource type in IAM and take only "*". DescribeKey (read-only) applies to any key of the account but only ' +
          "when asked for by Warden's alias (kms:RequestAlias): key ids differ per region.",
        appliesTo: [
          { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):s3:::\\*$/' },
          'Resource::*',
          { regex: ANY_KEY_OF_THE_ACCOUNT_FINDING },
        ],
      },
    ]);

    // Cross-region and cross-account bus targets need a role that may put events on the hub bus.
    this.forwarderRole = new iam.Role(this, 'ForwarderRole', {
      description: 'Warden: forwards matching CloudTrail events to the hub event bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        PutOnHubBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [hubBusArn] })],
        }),
      },
    });

    const forward = (
      id: string,
      description: string,
      pattern: Record<string, unknown>,
      condition: CfnCondition,
    ) => {
      const rule = new events.CfnRule(this, id, {
        description,
        state: 'ENABLED',
        eventPattern: pattern,
        targets: [
          {
            id: 'WardenHubBus',
            arn: hubBusArn,
            roleArn: this.forwarderRole.roleArn,
            retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 7_200 },
          },
        ],
      });
      rule.cfnOptions.condition = condition;
      this.rules.push(rule);
      return rule;
    };

    const { detailType, ...s3Pattern } = cloudTrailApiCallPattern({
      source: 'aws.s3',
      eventSource: 's3.amazonaws.com',
      eventNames: S3_GUARD_EVENT_NAMES,
      // The hub's roles and this account's member role: Warden's own fixes must not come back.
      ignoredRoleArns: [...FUNCTION_NAMES.map(hubRoleArn), memberRoleArn],
    });
    forward(
      'S3Events',
      'Warden spoke: S3 configuration changes, forwarded to the hub',
      { ...s3Pattern, 'detail-type': detailType },
      forwardsS3,
    );
    forward(
      'RootAccessKeyEvents',
      'Warden spoke: root access key creation, forwarded to the hub',
      ROOT_GUARD_EVENT_PATTERNS.rootAccessKeyCreated,
      forwardsRoot,
    );
    forward(
      'RootSignInEvents',
      'Warden spoke: root console sign-in, forwarded to the hub',
      ROOT_GUARD_EVENT_PATTERNS.rootConsoleSignIn,
      forwardsRoot,
    );
  }
}
