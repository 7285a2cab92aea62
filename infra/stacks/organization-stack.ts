import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, Aws, CfnCondition, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { ResourceNames } from '#shared/config/names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { GLOBAL_EVENTS_REGION, type Policy } from '#shared/policy/schema.ts';
import type { HubStack } from './hub-stack.ts';
import { SPOKE_PARAMETERS, SpokeStack, type SpokeStackProps } from './spoke-stack.ts';

/** What organization mode needs from the policy file, all present (checked at synth). */
export interface OrganizationSettings {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly targetOrganizationalUnitIds: readonly string[];
  readonly regions: readonly string[];
  readonly memberRoleName: string;
}

/** Fails synth naming every missing field, as a bad policy file should. */
export function organizationSettings(policy: Policy): OrganizationSettings {
  const { deployment } = policy;
  const organization = deployment.organization;
  const missing = [
    !organization.organizationId && 'deployment.organization.organizationId (o-...)',
    !deployment.managementAccountId && 'deployment.managementAccountId',
    organization.targetOrganizationalUnitIds.length === 0 &&
      'deployment.organization.targetOrganizationalUnitIds (at least one ou-... or r-...)',
    organization.regions.length === 0 && 'deployment.organization.regions (at least one region)',
    // Without it no member's root access keys or root sign-ins ever reach the hub.
    organization.regions.length > 0 &&
      !organization.regions.includes(GLOBAL_EVENTS_REGION) &&
      `deployment.organization.regions must include ${GLOBAL_EVENTS_REGION}: IAM and sign-in events of member accounts exist only there`,
  ].filter((item): item is string => typeof item === 'string');
  if (missing.length > 0)
    throw new ConfigError(
      `Invalid Warden policy: deployment.mode is organization, so these are required:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
    );
  return {
    organizationId: organization.organizationId as string,
    managementAccountId: deployment.managementAccountId as string,
    targetOrganizationalUnitIds: [...new Set(organization.targetOrganizationalUnitIds)],
    regions: [...new Set(organization.regions)],
    memberRoleName: organization.memberRoleName,
  };
}

/**
 * The spoke template as CloudFormation JSON: a stack synthesized in an App of its own (its own
 * temporary output folder, never the CLI's cdk.out), with the cdk-nag pack applied to it as well.
 */
export function synthesizeSpoke(
  names: ResourceNames,
  watchedRegions: readonly string[],
  context?: Record<string, unknown>,
  options: Pick<SpokeStackProps, 'sweep'> = {},
) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'warden-spoke-')), context });
  const stack = new SpokeStack(app, 'WardenSpoke', { names, watchedRegions, ...options });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  return { stack, template };
}

export interface OrganizationStackProps extends StackProps {
  readonly policy: Policy;
  readonly names: ResourceNames;
  /** The hub in this account and region: its guard role gets the right to assume member roles. */
  readonly hub: HubStack;
  /**
   * Regions whose account-level Block Public Access changes must reach the hub: the StackSet also
   * deploys there, with spokes that forward only those events outside the watched regions.
   */
  readonly accountLevelRegions: readonly string[];
}

/**
 * Organization mode, next to the hub (same account and region): the hub bus accepts events from
 * the organization's accounts, the s3-guard role may assume the member role in the organization's
 * accounts, and a service-managed StackSet rolls the spoke out to the target OUs and regions,
 * including accounts that join them later.
 */
export class OrganizationStack extends Stack {
  readonly settings: OrganizationSettings;
  readonly stackSet: cloudformation.CfnStackSet;
  readonly busPolicy: events.CfnEventBusPolicy;
  readonly spoke: SpokeStack;
  readonly spokeTemplate: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);
    const settings = organizationSettings(props.policy);
    this.settings = settings;
    const { names, hub } = props;
    this.addStackDependency(hub, 'The member role trusts the hub guard roles, which must exist first');

    this.busPolicy = new events.CfnEventBusPolicy(this, 'OrganizationCanForward', {
      eventBusName: 'default',
      statementId: `${names.prefix}-organization-forwarders`,
      statement: {
        Sid: `${names.prefix}-organization-forwarders`,
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': settings.organizationId } },
      },
    });

    grantMemberRoleUse(hub, settings);

    const spoke = synthesizeSpoke(names, settings.regions, undefined, { sweep: hub.sweep !== undefined });
    this.spoke = spoke.stack;
    this.spokeTemplate = spoke.template;

    // The management account calls as itself; a delegated administrator must say so.
    const inManagementAccount = new CfnCondition(this, 'InManagementAccount', {
      expression: Fn.conditionEquals(Aws.ACCOUNT_ID, settings.managementAccountId),
    });
    const [roleRegion] = settings.regions as [string];
    this.stackSet = new cloudformation.CfnStackSet(this, 'Spokes', {
      stackSetName: `${names.prefix}-spokes`,
      description:
        'Warden spokes: forward S3 and root events to the hub; the role the hub repairs S3 through',
      permissionModel: 'SERVICE_MANAGED',
      callAs: Fn.conditionIf(inManagementAccount.logicalId, 'SELF', 'DELEGATED_ADMIN').toString(),
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      parameters: [
        { parameterKey: SPOKE_PARAMETERS.hubAccountId, parameterValue: Aws.ACCOUNT_ID },
        { parameterKey: SPOKE_PARAMETERS.hubRegion, parameterValue: Aws.REGION },
        { parameterKey: SPOKE_PARAMETERS.organizationId, parameterValue: settings.organizationId },
        { parameterKey: SPOKE_PARAMETERS.memberRoleName, parameterValue: settings.memberRoleName },
        { parameterKey: SPOKE_PARAMETERS.roleRegion, parameterValue: roleRegion },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...settings.targetOrganizationalUnitIds] },
          // The watched regions first (the member role lives in the first), then the account-level ones.
          regions: [...new Set([...settings.regions, ...props.accountLevelRegions])],
        },
      ],
      templateBody: JSON.stringify(spoke.template),
    });
  }
}

/**
 * The s3-guard and tamper-guard roles (and the sweep worker's) may assume the member role, by name, in accounts of the
 * organization only (`aws:ResourceOrgID`).
 */
function grantMemberRoleUse(hub: HubStack, settings: OrganizationSettings): void {
  for (const { role } of [hub.s3Guard, hub.tamperGuard.guard, ...(hub.sweep ? [hub.sweep.worker] : [])])
    allowMemberRole(role, settings);
}

function allowMemberRole(role: iam.Role, settings: OrganizationSettings): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeMemberRoleInTheOrganization',
      actions: ['sts:AssumeRole'],
      resources: [`arn:${Stack.of(role).partition}:iam::*:role/${settings.memberRoleName}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': settings.organizationId } },
    }),
  );
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Organization mode: s3-guard (and the sweep worker) assume the member role (one fixed name) in whichever ' +
          'member account an event (or a sweep item) names; the account is the wildcard, and aws:ResourceOrgID pins it ' +
          'to the organization.',
        appliesTo: [
          {
            regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):iam::\\*:role\\/${settings.memberRoleName}$/`,
          },
        ],
      },
    ],
    true,
  );
}
