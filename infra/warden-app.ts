import { App, type AppProps, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resourceNames } from '#shared/config/names.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import {
  ACCOUNT_LEVEL_REGIONS_CONTEXT,
  type DeploymentRegions,
  HOME_REGION_CONTEXT,
  REGIONS_CONTEXT,
  resolveDeploymentRegions,
} from './config/deployment-regions.ts';
import { ForwarderStack } from './stacks/forwarder-stack.ts';
import { HubStack, type HubStackProps } from './stacks/hub-stack.ts';
import { OrganizationStack, organizationSettings } from './stacks/organization-stack.ts';
import { addTrailStack } from './stacks/organization-trail-stack.ts';

/** `cdk synth -c policyFile=<path>` validates and deploys another policy file. */
export const POLICY_FILE_CONTEXT = 'policyFile';

export interface WardenAppOptions {
  /** Defaults to the `policyFile` context value, then to the policy file at the repository root. */
  readonly policyFile?: string;
  readonly bundleDirs?: HubStackProps['bundleDirs'];
  /**
   * Defaults to the CLI's account (unresolved without credentials: the stacks then deploy to
   * whichever account `cdk deploy` uses). The region is the CLI's region unless the context or the
   * policy names a home region.
   */
  readonly env?: Environment;
  readonly appProps?: AppProps;
}

/**
 * The Warden CDK app: validates the policy file first (a bad policy fails synth naming the field),
 * then builds the hub stack in the home region and a forwarder stack in every other region that
 * needs one (watched regions, and us-east-1 for IAM and sign-in events), and runs the cdk-nag
 * AwsSolutions pack over everything. `cdk deploy --all` deploys them together, hub first.
 */
export function createWardenApp(options: WardenAppOptions = {}) {
  const app = new App(options.appProps);
  const policyFile: string =
    options.policyFile ?? app.node.tryGetContext(POLICY_FILE_CONTEXT) ?? DEFAULT_POLICY_FILE;
  const policy = loadPolicyFile(policyFile);
  // Organization settings are required only in organization mode: checked before anything is built.
  if (policy.deployment.mode === 'organization') organizationSettings(policy);
  const names = resourceNames();
  const env = options.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const regions: DeploymentRegions = resolveDeploymentRegions({
    policy,
    contextHomeRegion: app.node.tryGetContext(HOME_REGION_CONTEXT),
    contextRegions: app.node.tryGetContext(REGIONS_CONTEXT),
    contextAccountLevelRegions: app.node.tryGetContext(ACCOUNT_LEVEL_REGIONS_CONTEXT),
    cliRegion: env.region,
  });

  const hub = new HubStack(app, 'WardenHub', {
    stackName: `${names.prefix}-hub`,
    description: 'Warden hub: real-time remediation of risky S3 changes and root credential use, with alerts',
    // No lookups: synth needs no network, whatever the environment.
    env: { account: env.account, region: regions.homeRegion },
    // The functions read the regions as resolved (context beats the file): the sweep plans them.
    policy: { ...policy, deployment: { ...policy.deployment, regions: [...regions.watchedRegions] } },
    names,
    bundleDirs: options.bundleDirs,
    forwarders: regions.forwarders,
  });
  const forwarders = regions.forwarders.map((forwards) => {
    const stack = new ForwarderStack(app, `WardenForwarder-${forwards.region}`, {
      stackName: `${names.prefix}-forwarder`,
      description: `Warden forwarder: sends matching events from ${forwards.region} to the hub in ${regions.homeRegion}`,
      env: { account: env.account, region: forwards.region },
      names,
      homeRegion: regions.homeRegion,
      forwards,
    });
    // The hub's bus policy admits the forwarders: deploy it first.
    stack.addStackDependency(hub);
    return stack;
  });
  // Organization mode: the StackSet of spokes and the organization bus policy, next to the hub.
  // The forwarders above still cover the hub's own account (StackSets skip the management account).
  const organization =
    policy.deployment.mode === 'organization'
      ? new OrganizationStack(app, 'WardenOrganization', {
          stackName: `${names.prefix}-organization`,
          description: 'Warden organization: spokes in member accounts (StackSet) and the hub bus policy',
          env: { account: env.account, region: regions.homeRegion },
          policy,
          names,
          hub,
          accountLevelRegions: regions.accountLevelRegions,
        })
      : undefined;
  const trail = addTrailStack(app, { hub, policy, names, ...(organization ? { organization } : {}) });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, hub, forwarders, organization, trail, regions, policy };
}
