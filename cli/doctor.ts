/**
 * `warden doctor`: will events flow, and will people hear about them? Read-only checks against the
 * configured AWS credentials and region, or (`warden doctor local`) against the local emulator.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsTarget, clientConfig } from '#shared/aws/client-config.ts';
import { resourceNames } from '#shared/config/names.ts';
import {
  type CheckResult,
  type DoctorDeps,
  type DoctorInput,
  doctorExitCode,
  formatDoctorReport,
  runDoctor,
} from '#shared/doctor/doctor.ts';
import { localCredentials } from '#shared/local/credentials.ts';
import { readLocalConfig } from '#shared/local/local-config.ts';
import type { Policy } from '#shared/policy/schema.ts';

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

/** The home region first, then every other region the policy deploys rules to. */
export function doctorRegions(policy: Policy, region: string): string[] {
  const deployment = policy.deployment as Policy['deployment'] & { readonly regions?: readonly string[] };
  return [...new Set([region, ...(deployment.regions ?? [])])];
}

async function resolveTarget(options: DoctorOptions): Promise<{ target: AwsTarget; input: DoctorInput }> {
  const names = resourceNames(options.prefix);
  if (options.target.kind === 'local') {
    const local = readLocalConfig(options.target.configPath);
    return {
      target: { region: local.region, endpoint: local.endpoint, credentials: localCredentials() },
      input: {
        names,
        regions: [local.region],
        alertTopicArn: local.alertTopicArn,
        slackSecretId: local.slackWebhookSecretArn,
      },
    };
  }
  const region = options.target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('No region: pass --region or set AWS_REGION');
  const target = { region };
  const identity = await new STSClient(clientConfig(target)).send(new GetCallerIdentityCommand({}));
  const partition = identity.Arn?.split(':')[1] ?? 'aws';
  return {
    target,
    input: {
      names,
      regions: doctorRegions(options.policy, region),
      alertTopicArn: `arn:${partition}:sns:${region}:${identity.Account}:${names.alertTopic}`,
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
