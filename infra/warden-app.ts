import { App, type AppProps, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resourceNames } from '#shared/config/names.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import { HubStack, type HubStackProps } from './stacks/hub-stack.ts';

/** `cdk synth -c policyFile=<path>` validates and deploys another policy file. */
export const POLICY_FILE_CONTEXT = 'policyFile';

export interface WardenAppOptions {
  /** Defaults to the `policyFile` context value, then to the policy file at the repository root. */
  readonly policyFile?: string;
  readonly bundleDirs?: HubStackProps['bundleDirs'];
  /** Defaults to the CLI's account and region, unresolved (environment-agnostic) without credentials. */
  readonly env?: Environment;
  readonly appProps?: AppProps;
}

/**
 * The Warden CDK app: validates the policy file first (a bad policy fails synth naming the field),
 * then builds the hub stack and runs the cdk-nag AwsSolutions pack over everything.
 */
export function createWardenApp(options: WardenAppOptions = {}) {
  const app = new App(options.appProps);
  const policyFile: string =
    options.policyFile ?? app.node.tryGetContext(POLICY_FILE_CONTEXT) ?? DEFAULT_POLICY_FILE;
  const policy = loadPolicyFile(policyFile);
  const names = resourceNames();
  const hub = new HubStack(app, 'WardenHub', {
    stackName: `${names.prefix}-hub`,
    description: 'Warden hub: real-time remediation of risky S3 changes, with alerts',
    // No lookups: synth needs no network, whatever the environment.
    env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    policy,
    names,
    bundleDirs: options.bundleDirs,
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, hub, policy };
}
