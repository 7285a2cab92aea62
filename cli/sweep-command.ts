import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { snsAlertPublisher } from '#shared/alerts/publish-alert.ts';
import { type AwsTarget, clientConfig } from '#shared/aws/clients.ts';
import { accountOfArn } from '#shared/aws/cross-account.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { functionSessionArn, resourceNames } from '#shared/config/names.ts';
import { exemptionsExpiringSoon } from '#shared/policy/exemptions.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { wardenKeyAliasArn } from '#shared/s3/kms-key.ts';
import { sweepDigest } from '#shared/sweep/digest.ts';
import { runSweep } from '#shared/sweep/run.ts';
import { enforcedControls } from '#shared/sweep/sweep-policy.ts';
import { buildSweepEngine } from '../functions/sweep-worker/wiring.ts';
import { localCredentials } from './local/credentials.ts';
import { localGuardConfig } from './local/guard-config.ts';
import { readLocalConfig } from './local/local-config.ts';
import { LocalModeError } from './local/local-mode-error.ts';
import {
  progressLine,
  renderFindings,
  renderSummary,
  SWEEP_EXIT,
  sweepExitCode,
  sweepJson,
} from './sweep-report.ts';

export interface SweepOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Sweep a real account (this region, and the policy's watched regions) instead of the emulator. */
  readonly region?: string;
  readonly aws: boolean;
  readonly prefix: string;
  readonly configPath: string;
  readonly policy: Policy;
}

interface SweepTarget {
  readonly description: string;
  readonly config: GuardConfig;
  readonly aws: Pick<AwsTarget, 'endpoint' | 'credentials'>;
  readonly accountId: string;
  readonly regions: readonly string[];
}

const ACCOUNT_CONCURRENCY = 4;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The emulator `warden local up` provisioned (account mode, its one region). */
function localTarget(options: SweepOptions): SweepTarget {
  const local = readLocalConfig(options.configPath);
  return {
    description: `the local emulator at ${local.endpoint}`,
    config: localGuardConfig(local, options.policy),
    aws: { endpoint: local.endpoint, credentials: localCredentials() },
    accountId: local.accountId,
    regions: [local.region],
  };
}

/**
 * A real account with the caller's credentials (the usual SDK chain). A dry run needs no Warden stack;
 * a sweep that repairs needs the stack's audit table and key (journal, audit trail, undo).
 */
async function awsTarget(options: SweepOptions, env: NodeJS.ProcessEnv): Promise<SweepTarget> {
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? options.policy.deployment.homeRegion;
  if (!region) throw new LocalModeError('Set --region (or AWS_REGION) to sweep a real account');
  const { Arn } = await new STSClient(clientConfig({ region })).send(new GetCallerIdentityCommand({}));
  const { accountId, partition } = accountOfArn(Arn ?? '');
  const names = resourceNames(options.prefix);
  const key = await new KMSClient(clientConfig({ region }))
    .send(new DescribeKeyCommand({ KeyId: names.kmsKeyAlias }))
    .then((output) => output.KeyMetadata?.Arn)
    .catch(() => undefined);
  if (!options.dryRun) await requireStack(region, names.auditTable);
  return {
    description: `account ${accountId} (${region}) with your AWS credentials`,
    config: {
      region,
      kmsKeyArn: key ?? wardenKeyAliasArn(partition, region, accountId, names.kmsKeyAlias),
      alertTopicArn: `arn:${partition}:sns:${region}:${accountId}:${names.alertTopic}`,
      idempotencyTable: names.idempotencyTable,
      auditTable: names.auditTable,
      ownSessionArns: [functionSessionArn(names, 'sweep-worker', { partition, accountId })],
      policy: options.policy,
    },
    aws: {},
    accountId,
    regions: options.policy.deployment.regions ?? [region],
  };
}

async function requireStack(region: string, auditTable: string): Promise<void> {
  try {
    await new DynamoDBClient(clientConfig({ region })).send(
      new DescribeTableCommand({ TableName: auditTable }),
    );
  } catch {
    throw new LocalModeError(
      `No Warden stack in ${region} (table ${auditTable} not found): a sweep that repairs journals and audits its ` +
        'changes there. Run with --dry-run to see what Warden would change, or deploy first (README, "Deploy").',
    );
  }
}

/** `warden sweep`; a sweep that cannot start (no local config, no credentials) exits with the errors code. */
export async function sweepCommand(
  options: SweepOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    return await sweep(options, env);
  } catch (error) {
    process.stderr.write(`warden sweep: ${error instanceof Error ? error.message : String(error)}\n`);
    return SWEEP_EXIT.errors;
  }
}

/** Every bucket and the account settings of the target, with the policy's controls. */
export async function sweep(options: SweepOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const target = options.aws || options.region ? await awsTarget(options, env) : localTarget(options);
  const sweepId = `cli-${randomUUID().slice(0, 8)}`;
  const startedAt = new Date().toISOString();
  const { engine, history, enforced } = buildSweepEngine(target.config, {
    aws: target.aws,
    dryRun: options.dryRun,
    log: quiet,
    metrics: { count: () => {} },
  });
  const terminal = process.stderr.isTTY && !options.json;
  const began = Date.now();
  process.stderr.write(
    `Sweeping ${target.description}${options.dryRun ? ' (dry run: nothing is changed)' : ''}\n`,
  );
  const tally = await runSweep(
    engine,
    { sweepId, startedAt, accounts: [{ accountId: target.accountId, regions: target.regions }] },
    {
      accountConcurrency: ACCOUNT_CONCURRENCY,
      enforced,
      now: () => new Date(),
      ...(options.dryRun ? {} : { history }),
      ...(terminal
        ? {
            onProgress: (progress) => process.stderr.write(`\r${progressLine(progress, Date.now() - began)}`),
          }
        : {}),
    },
  );
  if (terminal) process.stderr.write('\n');
  const exitCode = sweepExitCode(tally);
  const wouldRepair = options.dryRun ? new Set<string>(enforcedControls(options.policy)) : undefined;
  const run = { sweepId, startedAt, dryRun: options.dryRun };
  if (!options.dryRun) await publishDigest(target, run, tally);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sweepJson(run, tally, exitCode, wouldRepair), null, 2)}\n`);
    return exitCode;
  }
  const findings = renderFindings(tally, wouldRepair);
  process.stdout.write(`${findings ? `${findings}\n\n` : ''}${renderSummary(tally, wouldRepair)}\n`);
  return exitCode;
}

/** Slack hears of a CLI sweep's repairs as of a scheduled one's: one digest on the alert topic. */
async function publishDigest(
  target: SweepTarget,
  run: { readonly sweepId: string; readonly startedAt: string; readonly dryRun: boolean },
  tally: Parameters<typeof sweepDigest>[1],
): Promise<void> {
  const digest = sweepDigest(
    {
      ...run,
      accountId: target.accountId,
      region: target.config.region,
      expiringExemptions: exemptionsExpiringSoon(target.config.policy, new Date()),
    },
    tally,
  );
  if (!digest) return;
  const sns = new SNSClient(clientConfig({ region: target.config.region, ...target.aws }));
  await snsAlertPublisher(sns, target.config.alertTopicArn).publish(digest);
}
