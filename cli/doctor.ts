/**
 * `warden doctor`: will events flow, and will people hear about them? Read-only checks against the
 * configured AWS credentials, in the regions the stacks deploy to (the policy's home region and
 * regions, resolved as `cdk synth` resolves them), or (`warden doctor local`) against the local emulator.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsTarget, clientConfig } from '#shared/aws/clients.ts';
import {
  type ForwardedEvents,
  type FunctionName,
  forwardingRuleName,
  type ResourceNames,
  resourceNames,
} from '#shared/config/names.ts';
import { S3_ACCOUNT_EVENT_NAMES, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import {
  type CheckResult,
  type DoctorDeps,
  type DoctorInput,
  doctorExitCode,
  type ExpectedRule,
  formatDoctorReport,
  type RegionRules,
  runDoctor,
} from '#shared/doctor/doctor.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { ROOT_EVENT_KINDS, ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { localCredentials } from '#shared/local/credentials.ts';
import { readLocalConfig } from '#shared/local/local-config.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { type DeploymentRegions, resolveDeploymentRegions } from '../infra/config/deployment-regions.ts';

export type DoctorTarget =
  | { readonly kind: 'aws'; readonly region?: string }
  | { readonly kind: 'local'; readonly configPath: string };

export interface DoctorOptions {
  readonly policy: Policy;
  readonly prefix: string;
  readonly target: DoctorTarget;
  readonly write?: (text: string) => void;
}

export function doctorDeps(target: AwsTarget): DoctorDeps {
  return {
    cloudTrail: new CloudTrailClient(clientConfig(target)),
    eventsIn: (region) => new EventBridgeClient(clientConfig({ ...target, region })),
    secrets: new SecretsManagerClient(clientConfig(target)),
    kms: new KMSClient(clientConfig(target)),
    sns: new SNSClient(clientConfig(target)),
  };
}

/** Where the hub's functions live: their ARNs are the targets of the hub's rules. */
export interface HubAccount {
  readonly partition: string;
  readonly accountId: string;
}

const HUB_FUNCTION: Record<ForwardedEvents, FunctionName> = {
  s3: 's3-guard',
  s3Account: 's3-guard',
  rootAccessKeyCreated: 'root-guard',
  rootConsoleSignIn: 'root-guard',
};

const eventNamesOf = (events: ForwardedEvents): readonly string[] =>
  events === 's3'
    ? S3_GUARD_EVENT_NAMES
    : events === 's3Account'
      ? S3_ACCOUNT_EVENT_NAMES
      : ROOT_GUARD_EVENT_PATTERNS[events].detail.eventName;

/**
 * Every EventBridge rule the stacks deploy for these regions, home region first: the hub's rule
 * per guard pattern (s3-guard; root-guard per root event kind) and, in every other region, the
 * forwarding rules by name (S3 where the region is watched, the root kinds in us-east-1).
 */
export function expectedRules(
  regions: DeploymentRegions,
  names: ResourceNames,
  hub: HubAccount,
): RegionRules[] {
  const hubRules = (['s3', ...ROOT_EVENT_KINDS] as const).map(
    (events): ExpectedRule => ({
      kind: 'targeted',
      carries: events,
      targetArn: `arn:${hub.partition}:lambda:${regions.homeRegion}:${hub.accountId}:function:${names.functionName(HUB_FUNCTION[events])}`,
      eventNames: eventNamesOf(events),
    }),
  );
  return [
    { region: regions.homeRegion, stack: 'hub', rules: hubRules },
    ...regions.forwarders.map(
      (forwarder): RegionRules => ({
        region: forwarder.region,
        stack: 'forwarder',
        rules: [
          ...(forwarder.s3 ? (['s3'] as const) : []),
          ...(forwarder.accountLevel ? (['s3Account'] as const) : []),
          ...(forwarder.root ? ROOT_EVENT_KINDS : []),
        ].map((events) => ({ kind: 'named', carries: events, name: forwardingRuleName(names, events) })),
      }),
    ),
  ];
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
