import { type App, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResourceNames } from '#shared/config/names.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { WardenTrail } from '../constructs/trail.ts';

export interface TrailStackProps extends StackProps {
  readonly names: ResourceNames;
  /** Organization mode: an organization trail, deployed to the management account. */
  readonly organizationId?: string;
}

/**
 * The optional CloudTrail prerequisite (`deployment.createTrail: true`): without a trail AWS emits
 * no events and Warden sees nothing. An account trail in account mode; an organization trail in the
 * management account in organization mode (the hub's account cannot create one unless it is the
 * CloudTrail delegated administrator).
 */
export class TrailStack extends Stack {
  readonly trail: WardenTrail;

  constructor(scope: Construct, id: string, props: TrailStackProps) {
    super(scope, id, props);
    this.trail = new WardenTrail(this, 'Trail', {
      trailName: props.organizationId
        ? `${props.names.prefix}-organization-trail`
        : `${props.names.prefix}-trail`,
      ...(props.organizationId ? { organizationId: props.organizationId } : {}),
    });
  }
}

/**
 * `deployment.createTrail: true` adds the trail stack: next to the hub in account mode; in the
 * management account (the hub's region) in organization mode. Otherwise nothing.
 */
export function addTrailStack(
  app: App,
  props: {
    readonly hub: Stack;
    readonly policy: Policy;
    readonly names: ResourceNames;
    readonly organization?: {
      readonly settings: { readonly managementAccountId: string; readonly organizationId: string };
    };
  },
): TrailStack | undefined {
  const { hub, policy, names, organization } = props;
  if (!policy.deployment.createTrail) return undefined;
  return new TrailStack(app, 'WardenTrail', {
    stackName: `${names.prefix}-trail`,
    description: 'Warden prerequisite: a CloudTrail trail, so that AWS emits the events Warden reacts to',
    env: organization
      ? { account: organization.settings.managementAccountId, region: hub.region }
      : { account: hub.account, region: hub.region },
    names,
    ...(organization ? { organizationId: organization.settings.organizationId } : {}),
  });
}
