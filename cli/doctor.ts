/**
 * `warden doctor`: will events flow, and will people hear about them? Read-only checks against the
 * configured AWS credentials, in the regions the stacks deploy to (the policy's home region and
 * regions, resolved as `cdk synth` resolves them), or (`warden doctor local`) against the local emulator.
 * The checks themselves are in doctor/checks.ts and doctor/rules.ts; this file picks the target and runs them.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsTarget, clientConfig } from '#shared/aws/clients.ts';
import { type ResourceNames, resourceNames } from '#shared/config/names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { resolveDeploymentRegions } from '../infra/config/deployment-regions.ts';
import {
  type CheckResult,
  checkAlertTopic,
  checkKmsKey,
  checkSlackSecret,
  checkTrail,
  type DoctorDeps,
  doctorExitCode,
  formatDoctorReport,
} from './doctor/checks.ts';
import { checkRules, expectedRules, type RegionRules } from './doctor/rules.ts';
import { checkSecurityHub } from './doctor/security-hub.ts';
import { localCredentials } from './local/credentials.ts';
import { readLocalConfig } from './local/local-config.ts';

export type DoctorTarget =
  | { readonly kind: 'aws'; readonly region?: string }
  | { readonly kind: 'local'; readonly configPath: string };

export interface DoctorOptions {
  readonly policy: Policy;
  readonly prefix: string;
  readonly target: DoctorTarget;
  readonly write?: (text: string) => void;
}

export function doctorDeps(target: AwsTarget): DoctorDeps & { securityHub: SecurityHubClient } {
  return {
    securityHub: new SecurityHubClient(clientConfig(target)),
    cloudTrail: new CloudTrailClient(clientConfig(target)),
    eventsIn: (region) => new EventBridgeClient(clientConfig({ ...target, region })),
    secrets: new SecretsManagerClient(clientConfig(target)),
    kms: new KMSClient(clientConfig(target)),
    sns: new SNSClient(clientConfig(target)),
  };
}

export interface DoctorInput {
  readonly names: ResourceNames;
  /** Every region with a Warden stack and the rules it deploys there, home region first. */
  readonly rules: readonly RegionRules[];
  readonly alertTopicArn: string;
  /** The Slack secret id (name or ARN). */
  readonly slackSecretId: string;
  /** Where findings go when the policy turns Security Hub on (the home region); absent when off. */
  readonly securityHubRegion?: string;
}

/** Every check, in a fixed order: will events flow, will people hear about them. */
export async function runDoctor(
  deps: DoctorDeps & { readonly securityHub?: Pick<SecurityHubClient, 'send'> },
  input: DoctorInput,
): Promise<readonly CheckResult[]> {
  const { securityHub } = deps;
  return Promise.all([
    checkTrail(deps),
    ...input.rules.map((region) => checkRules(deps, region)),
    checkSlackSecret(deps, input),
    checkKmsKey(deps, input),
    checkAlertTopic(deps, input),
    ...(input.securityHubRegion && securityHub
      ? [checkSecurityHub({ securityHub }, { region: input.securityHubRegion })]
      : []),
  ]);
}

/** The CLI's region: `--region`, else the SDK's environment variables. */
const cliRegionOf = (target: Extract<DoctorTarget, { kind: 'aws' }>): string | undefined =>
  target.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;

/**
 * The regions the stacks deploy to, resolved as the CDK app resolves them (policy
 * `deployment.homeRegion` and `regions` before the CLI's region; us-east-1 always), and the
 * clients' target: the home region, where the hub's key, topic and secret live.
 */
export async function resolveTarget(
  options: DoctorOptions,
): Promise<{ target: AwsTarget; input: DoctorInput }> {
  const names = resourceNames(options.prefix);
  if (options.target.kind === 'local') {
    const local = readLocalConfig(options.target.configPath);
    return {
      target: { region: local.region, endpoint: local.endpoint, credentials: localCredentials() },
      input: {
        names,
        // Local mode invokes the bundles directly: nothing deploys rules to the emulator.
        rules: [
          {
            region: local.region,
            stack: 'local',
            rules: [{ kind: 'prefixed', carries: 'any', prefix: names.prefix }],
          },
        ],
        alertTopicArn: local.alertTopicArn,
        slackSecretId: local.slackWebhookSecretArn,
        ...(options.policy.securityHub.enabled ? { securityHubRegion: local.region } : {}),
      },
    };
  }
  const regions = resolveDeploymentRegions({
    policy: options.policy,
    cliRegion: cliRegionOf(options.target),
  });
  if (regions.homeRegionSource === 'fallback')
    throw new ConfigError(
      'No home region: set deployment.homeRegion in the policy file, pass --region or set AWS_REGION',
    );
  const target = { region: regions.homeRegion };
  const identity = await new STSClient(clientConfig(target)).send(new GetCallerIdentityCommand({}));
  const partition = identity.Arn?.split(':')[1] ?? 'aws';
  const accountId = identity.Account ?? '';
  return {
    target,
    input: {
      names,
      rules: expectedRules(regions, names, { partition, accountId }),
      alertTopicArn: `arn:${partition}:sns:${regions.homeRegion}:${accountId}:${names.alertTopic}`,
      slackSecretId: names.slackWebhookSecret,
      ...(options.policy.securityHub.enabled ? { securityHubRegion: regions.homeRegion } : {}),
    },
  };
}

/** Prints one line per check; exit code 0 when all are OK, 1 otherwise. */
export async function doctor(
  options: DoctorOptions,
): Promise<{ exitCode: number; results: readonly CheckResult[] }> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const { target, input } = await resolveTarget(options);
  const results = await runDoctor(doctorDeps(target), input);
  write(`${formatDoctorReport(results)}\n`);
  return { exitCode: doctorExitCode(results), results };
}
