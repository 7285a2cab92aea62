import {
  Aws,
  CfnCondition,
  CfnParameter,
  CfnResource,
  DefaultStackSynthesizer,
  Fn,
  type ICfnConditionExpression,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import type { Construct, IConstruct } from 'constructs';
import {
  type ForwardedEvents,
  type FunctionName,
  functionSessionArns,
  MEMBER_ROLE_SESSION_PREFIX,
  ONE_INSTALL_PER_ACCOUNT,
  type ResourceNames,
  spokeRuleName,
  TAMPER_EVENT_KINDS,
  type TamperEventKind,
} from '#shared/config/names.ts';
import { S3_ACCOUNT_EVENT_NAMES, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS, ROOT_GUARD_EVENT_REGION } from '#shared/events/root-event-patterns.ts';
import { allowAlarmPublishing, failedForwardsAlarm, notifyOnAlarm } from '../constructs/alarm-topic.ts';
import { RULE_TARGET_MAX_EVENT_AGE, RULE_TARGET_RETRY_ATTEMPTS } from '../constructs/cloudtrail-rule.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { ANY_KEY_OF_THE_ACCOUNT_FINDING } from '../constructs/guard-function.ts';
import { tamperStatements, tamperSuppressions } from '../constructs/tamper-permissions.ts';
import { WardenKey } from '../constructs/warden-key.ts';
import { cloudTrailApiCallPattern } from '../events/cloudtrail-pattern.ts';
import { tamperPattern } from '../events/tamper-pattern.ts';

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
export const MEMBER_ROLE_USERS: readonly FunctionName[] = ['s3-guard', 'tamper-guard'];
/** The scheduled sweep's worker too, when the hub has one (a trust policy may not name a role that does not exist). */
export const SWEEP_MEMBER_ROLE_USER: FunctionName = 'sweep-worker';
/**
 * What the sweep reads besides s3-guard's actions: the account's buckets and its account summary (root
 * access keys). Neither action has a resource type in IAM.
 */
export const SPOKE_SWEEP_ACTIONS = ['s3:ListAllMyBuckets', 'iam:GetAccountSummary'] as const;

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
  /**
   * Regions whose S3 events the spokes forward (`deployment.organization.regions`). In the StackSet's
   * other regions a spoke forwards only account-level Block Public Access changes.
   */
  readonly watchedRegions: readonly string[];
  /** The hub runs the scheduled sweep: its worker may assume the member role, which may list and summarise. */
  readonly sweep?: boolean;
}

/**
 * What every member account gets in every region, rolled out by the hub's StackSet: rules that
 * forward the events the hub's guards handle to the hub's default event bus (S3 in watched regions,
 * only account-level Block Public Access changes in the others; root activity in us-east-1, where
 * IAM and sign-in events are delivered), the role those rules use, and (in one region per account)
 * the remediation role only the hub's guard roles may assume.
 * No Lambda, no assets: the template is embedded in the StackSet as it is.
 */
export class SpokeStack extends Stack {
  readonly memberRole: iam.Role;
  readonly forwarderRole: iam.Role;
  readonly rules: events.CfnRule[] = [];
  /** Warden's key for this account's buckets in this region (not in the hub's own account). */
  readonly bucketKey: WardenKey;
  /** Events the rules could not put on the hub bus after their retries (not in the hub's own region). */
  readonly deadLetters: DeadLetterQueue;
  /** This account and region's alarms: CloudWatch can notify only a topic of its own account and region. */
  readonly alarmTopic: sns.Topic;

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
    // Warden's own sessions: the hub functions', and s3-guard's on the member role of this account.
    const hubSessionArns = functionSessionArns(names, { partition: Aws.PARTITION, accountId: hubAccountId });
    const memberSessionArnPrefix = `arn:${Aws.PARTITION}:sts::${Aws.ACCOUNT_ID}:assumed-role/${memberRoleName}/${MEMBER_ROLE_SESSION_PREFIX}`;

    const createsRole = new CfnCondition(this, 'CreatesMemberRole', {
      expression: Fn.conditionEquals(Aws.REGION, roleRegion),
    });
    // The hub's own rules already watch its own bus: a rule must not forward a bus to itself.
    const isHubBus = Fn.conditionAnd(
      Fn.conditionEquals(Aws.ACCOUNT_ID, hubAccountId),
      Fn.conditionEquals(Aws.REGION, hubRegion),
    );
    const forwardsEvents = new CfnCondition(this, 'ForwardsEvents', {
      expression: Fn.conditionNot(isHubBus),
    });
    // One template for every region: the watched ones are written into it at synth.
    const watchesS3 = new CfnCondition(this, 'WatchesS3', {
      expression: regionIsOneOf(props.watchedRegions),
    });
    const forwardsS3 = new CfnCondition(this, 'ForwardsS3Events', {
      expression: Fn.conditionAnd(watchesS3, Fn.conditionNot(isHubBus)),
    });
    const forwardsAccountLevel = new CfnCondition(this, 'ForwardsAccountLevelEvents', {
      expression: Fn.conditionAnd(Fn.conditionNot(watchesS3), Fn.conditionNot(isHubBus)),
    });
    // The hub's account has its keys from the hub and forwarder stacks (same alias): none here; and
    // none where no bucket is repaired.
    const createsBucketKey = new CfnCondition(this, 'CreatesBucketKey', {
      expression: Fn.conditionAnd(
        watchesS3,
        Fn.conditionNot(Fn.conditionEquals(Aws.ACCOUNT_ID, hubAccountId)),
      ),
    });
    this.bucketKey = new WardenKey(this, 'BucketKey', { alias: names.kmsKeyAlias, purpose: 'buckets' });
    onlyWhere(this.bucketKey, createsBucketKey);
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
        new iam.CompositePrincipal(
          ...[...MEMBER_ROLE_USERS, ...(props.sweep ? [SWEEP_MEMBER_ROLE_USER] : [])].map(
            (fn) => new iam.ArnPrincipal(hubRoleArn(fn)),
          ),
        ),
        {
          StringEquals: { 'aws:PrincipalOrgID': organizationId },
          // Its sessions are then always recognisable as Warden's (`warden-<event id>`).
          StringLike: { 'sts:RoleSessionName': `${MEMBER_ROLE_SESSION_PREFIX}*` },
        },
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
            ...(props.sweep
              ? [
                  new iam.PolicyStatement({
                    sid: 'SweepListing',
                    actions: [...SPOKE_SWEEP_ACTIONS],
                    resources: ['*'],
                  }),
                ]
              : []),
            new iam.PolicyStatement({
              // s3-guard checks and resolves this account's Warden key of the bucket's region.
              sid: 'DescribeWardenKeysByAlias',
              actions: ['kms:DescribeKey'],
              resources: [`arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`],
              conditions: { StringEquals: { 'kms:RequestAlias': names.kmsKeyAlias } },
            }),
          ],
        }),
        // tamper-guard's reads and repairs of this account's keys, trails and Warden rules.
        TamperRepairs: new iam.PolicyDocument({
          statements: tamperStatements({
            partition: Aws.PARTITION,
            account: Aws.ACCOUNT_ID,
            prefix: names.prefix,
            trails: [],
          }),
        }),
      },
    });
    NagSuppressions.addResourceSuppressions(this.memberRole, tamperSuppressions());
    (this.memberRole.node.defaultChild as CfnResource).cfnOptions.condition = createsRole;
    // A member account repaired by this hub must not also run a Warden of its own (or another
    // organization's spokes): the IAM name every install claims, once per account, outside the hub's.
    const marksTheInstall = new CfnCondition(this, 'MarksTheInstall', {
      expression: Fn.conditionAnd(
        createsRole,
        Fn.conditionNot(Fn.conditionEquals(Aws.ACCOUNT_ID, hubAccountId)),
      ),
    });
    new iam.CfnGroup(this, 'OneInstallPerAccount', {
      groupName: ONE_INSTALL_PER_ACCOUNT,
      path: '/warden/',
    }).cfnOptions.condition = marksTheInstall;
    NagSuppressions.addResourceSuppressions(this.memberRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Warden repairs whichever bucket of this account an event names, so the bucket-configuration actions apply ' +
          'to every bucket ARN (no object ARNs, no s3:*); the account-level Block Public Access actions (and the ' +
          "sweep's read-only s3:ListAllMyBuckets and iam:GetAccountSummary) have no resource type in IAM and take " +
          'only "*". DescribeKey (read-only) applies to any key of the account but only ' +
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

    // Where any rule forwards: a topic for this account's alarms and a dead-letter queue, as the
    // account-mode forwarders have (a member event the hub bus refused is otherwise dropped silently).
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${names.prefix}-spoke-alarms`,
      displayName: 'Warden spoke alarms',
      enforceSSL: true,
    });
    allowAlarmPublishing(this.alarmTopic);
    NagSuppressions.addResourceSuppressions(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Carries only CloudWatch alarm state changes of this spoke (alarm name, metric, threshold), no event ' +
          'content. CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key, and member ' +
          "accounts have no Warden key for Warden's own resources.",
      },
    ]);
    this.deadLetters = new DeadLetterQueue(this, 'UndeliveredEvents', {
      alertTopic: this.alarmTopic,
      purpose: 'events this member account could not forward to the Warden hub bus',
    });
    const forwarded: ForwardedEvents[] = [];
    const ruleArn = (kind: ForwardedEvents) =>
      `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${spokeRuleName(names, kind)}`;

    const forward = (
      id: string,
      kind: ForwardedEvents,
      description: string,
      pattern: Record<string, unknown>,
      condition: CfnCondition,
    ) => {
      const rule = new events.CfnRule(this, id, {
        name: spokeRuleName(names, kind),
        description,
        state: 'ENABLED',
        eventPattern: pattern,
        targets: [
          {
            id: 'WardenHubBus',
            arn: hubBusArn,
            roleArn: this.forwarderRole.roleArn,
            retryPolicy: {
              maximumRetryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
              maximumEventAgeInSeconds: RULE_TARGET_MAX_EVENT_AGE.toSeconds(),
            },
            deadLetterConfig: { arn: this.deadLetters.queue.queueArn },
          },
        ],
      });
      rule.cfnOptions.condition = condition;
      this.rules.push(rule);
      forwarded.push(kind);
      return rule;
    };

    const { detailType, ...s3Pattern } = cloudTrailApiCallPattern({
      source: 'aws.s3',
      eventSource: 's3.amazonaws.com',
      eventNames: S3_GUARD_EVENT_NAMES,
      // The hub functions' sessions and s3-guard's member-role sessions: Warden's own fixes must not come back.
      ownSessionArns: hubSessionArns,
      ownSessionArnPrefixes: [memberSessionArnPrefix],
    });
    const { detailType: accountLevelDetailType, ...s3AccountLevelPattern } = cloudTrailApiCallPattern({
      source: 'aws.s3',
      eventSource: 's3.amazonaws.com',
      eventNames: S3_ACCOUNT_EVENT_NAMES,
      ownSessionArns: hubSessionArns,
      ownSessionArnPrefixes: [memberSessionArnPrefix],
    });
    forward(
      'S3Events',
      's3',
      'Warden spoke: S3 configuration changes, forwarded to the hub',
      { ...s3Pattern, 'detail-type': detailType },
      forwardsS3,
    );
    forward(
      'AccountLevelEvents',
      's3Account',
      'Warden spoke: account-level Block Public Access changes made through this region, forwarded to the hub',
      { ...s3AccountLevelPattern, 'detail-type': accountLevelDetailType },
      forwardsAccountLevel,
    );
    forward(
      'RootAccessKeyEvents',
      'rootAccessKeyCreated',
      'Warden spoke: root access key creation, forwarded to the hub',
      ROOT_GUARD_EVENT_PATTERNS.rootAccessKeyCreated,
      forwardsRoot,
    );
    forward(
      'RootSignInEvents',
      'rootConsoleSignIn',
      'Warden spoke: root console sign-in, forwarded to the hub',
      ROOT_GUARD_EVENT_PATTERNS.rootConsoleSignIn,
      forwardsRoot,
    );
    forward(
      'RootCredentialEvents',
      'rootCredentialChanged',
      "Warden spoke: the root user's MFA removed or password set, forwarded to the hub",
      ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged,
      forwardsRoot,
    );

    // tamper-guard: KMS and CloudTrail events where S3 is watched; changes to this region's Warden rules
    // everywhere, through two rules that each carry the other's changes (a disabled rule reports nothing).
    const tamperKinds: readonly TamperEventKind[] = TAMPER_EVENT_KINDS;
    const watchedRules = {
      tamperRules: [...forwarded, ...tamperKinds]
        .filter((kind) => kind !== 'tamperRules')
        .map((kind) => spokeRuleName(names, kind)),
      tamperRulesWatch: spokeRuleName(names, 'tamperRules'),
    };
    for (const kind of tamperKinds) {
      const { detailType: tamperDetailType, ...tamperEvents } = tamperPattern(kind, {
        ownSessionArns: hubSessionArns,
        ownSessionArnPrefixes: [memberSessionArnPrefix],
        watchedRules,
      });
      forward(
        `${kind.charAt(0).toUpperCase()}${kind.slice(1)}Events`,
        kind,
        `Warden spoke: tamper-guard ${kind}, forwarded to the hub`,
        { ...tamperEvents, 'detail-type': tamperDetailType },
        kind === 'tamperKms' || kind === 'tamperCloudTrail' ? forwardsS3 : forwardsEvents,
      );
    }

    // EventBridge may put on the queue only what these rules failed to deliver. By name: a rule of
    // another region does not exist here, and the policy must not depend on conditional resources.
    this.deadLetters.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowWardenSpokeRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetters.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': forwarded.map(ruleArn) } },
      }),
    );
    const failedForwards = notifyOnAlarm(
      failedForwardsAlarm(
        this,
        forwarded.map((kind) => spokeRuleName(names, kind)),
        'Warden: a spoke rule of this account and region failed to put events on the hub bus.',
      ),
      this.alarmTopic,
    );
    for (const scope of [this.alarmTopic, this.deadLetters, failedForwards]) onlyWhere(scope, forwardsEvents);
  }
}

/** `AWS::Region` is one of `regions` (`Fn::Or` takes 2 to 10 conditions: nested for more). */
function regionIsOneOf(regions: readonly string[]): ICfnConditionExpression {
  const equal = regions.map((region) => Fn.conditionEquals(Aws.REGION, region));
  const anyOf = (conditions: ICfnConditionExpression[]): ICfnConditionExpression => {
    if (conditions.length === 1) return conditions[0] as ICfnConditionExpression;
    if (conditions.length <= 10) return Fn.conditionOr(...conditions);
    const groups: ICfnConditionExpression[] = [];
    for (let start = 0; start < conditions.length; start += 10)
      groups.push(anyOf(conditions.slice(start, start + 10)));
    return anyOf(groups);
  };
  if (equal.length === 0) throw new Error('A spoke needs at least one watched region');
  return anyOf(equal);
}

/** Every CloudFormation resource under `scope` exists only where `condition` holds. */
function onlyWhere(scope: IConstruct, condition: CfnCondition): void {
  for (const resource of scope.node.findAll())
    if (resource instanceof CfnResource) resource.cfnOptions.condition = condition;
}
