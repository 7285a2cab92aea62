import { readFileSync, rmSync } from 'node:fs';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Policy } from '#shared/policy/schema.ts';
import { makeLocalClients } from './local/clients.ts';
import { LOCAL_REGION } from './local/credentials.ts';
import { INVOCABLE_FUNCTIONS, type InvocableFunction, invokeLocal, judgeInvocation } from './local/invoke.ts';
import { type LocalConfig, readLocalConfig, writeLocalConfig } from './local/local-config.ts';
import { LocalModeError } from './local/local-mode-error.ts';
import { DEFAULT_LOCAL_ENDPOINT, isEndpointAnswering, startMoto, stopDetachedMoto } from './local/moto.ts';
import { provisionLocal, slackWebhookUrlFromEnv } from './local/provision.ts';
import {
  captureAddressFor,
  type FakeSlackServer,
  startFakeSlackServer,
} from './local/slack-capture-server.ts';
import { describeSlackMessage } from './local/slack-text.ts';
import { withStdoutOnStderr } from './output.ts';

const note = (line: string) => process.stderr.write(`${line}\n`);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The emulator endpoint: `AWS_ENDPOINT_URL` when set, otherwise Warden's default local port. */
export const localEndpoint = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_ENDPOINT_URL || DEFAULT_LOCAL_ENDPOINT;

/** Each command prints its result on stdout, progress on stderr, and resolves to the exit code. */
export async function localUp(prefix: string, configPath: string): Promise<number> {
  const endpoint = localEndpoint();
  if (await isEndpointAnswering(endpoint)) {
    note(`Using the emulator already answering at ${endpoint}`);
  } else {
    const url = new URL(endpoint);
    if (!LOCAL_HOSTS.has(url.hostname)) {
      throw new LocalModeError(
        `Nothing answers at ${endpoint}, and Warden only starts an emulator on this machine`,
      );
    }
    const moto = await startMoto({ port: Number(url.port || 80), detached: true });
    note(`Started moto server at ${moto.endpoint} (pid ${moto.pid}); stop it with \`warden local down\``);
  }
  const slackWebhookUrl = slackWebhookUrlFromEnv();
  const config = await provisionLocal({ endpoint, region: LOCAL_REGION, prefix, slackWebhookUrl });
  writeLocalConfig(config, configPath);
  note(`Provisioned Warden's resources; config written to ${configPath}`);
  note(
    slackWebhookUrl
      ? 'notify-slack posts to the Slack webhook in WARDEN_SLACK_WEBHOOK_URL (stored in the webhook secret)'
      : 'notify-slack posts to a local Slack-like capture server, run by `warden local invoke notify-slack`',
  );
  process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  return 0;
}

function readEvent(source: string): unknown {
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LocalModeError(
      `The event in ${source === '-' ? 'stdin' : source} is not JSON: ${(error as Error).message}`,
    );
  }
}

export function parseFunctionName(value: string): InvocableFunction {
  const known: readonly string[] = INVOCABLE_FUNCTIONS;
  if (!known.includes(value)) {
    throw new LocalModeError(
      `Unknown function "${value}"; expected one of: ${INVOCABLE_FUNCTIONS.join(', ')} (the sweep runs with \`warden sweep\`)`,
    );
  }
  return value as InvocableFunction;
}

/**
 * When the webhook secret holds local mode's own capture URL, a Slack-like server listens there for
 * the invocation, so the message has somewhere to go and can be shown. Any other URL is left to notify-slack.
 */
async function startCaptureForSecret(config: LocalConfig): Promise<FakeSlackServer | undefined> {
  const { secretsManager } = makeLocalClients(config);
  const value = (
    await secretsManager.send(new GetSecretValueCommand({ SecretId: config.slackWebhookSecretArn }))
  ).SecretString;
  const address = captureAddressFor(value, config.slackCaptureUrl);
  if (!address) return undefined;
  try {
    return await startFakeSlackServer(address);
  } catch (error) {
    throw new LocalModeError(
      `Could not start the local Slack capture server on port ${address.port}: ${(error as Error).message}`,
    );
  }
}

function showCaptured(slack: FakeSlackServer): void {
  if (slack.received.length === 0) return;
  note(`The local Slack capture server received ${slack.received.length} message(s):`);
  for (const request of slack.received) {
    for (const line of describeSlackMessage(request.payload)) note(`  │ ${line}`);
    note('');
  }
}

/** Prints the function's result as JSON; exit 0 when it did its job, 1 otherwise (see `judgeInvocation`). */
export async function localInvoke(
  functionName: InvocableFunction,
  eventSource: string,
  policy: Policy,
  configPath: string,
): Promise<number> {
  const config: LocalConfig = readLocalConfig(configPath);
  const event = readEvent(eventSource);
  if (!(await isEndpointAnswering(config.endpoint))) {
    throw new LocalModeError(`The emulator at ${config.endpoint} does not answer: run \`warden local up\``);
  }
  const slack = functionName === 'notify-slack' ? await startCaptureForSecret(config) : undefined;
  try {
    const result = await withStdoutOnStderr(() => invokeLocal(functionName, event, config, policy));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (slack) showCaptured(slack);
    const verdict = judgeInvocation(functionName, event, result);
    if (verdict.ok) {
      if (functionName === 'notify-slack') note(`notify-slack ${verdict.summary}`);
      return 0;
    }
    note(`${functionName} ${verdict.summary}`);
    return 1;
  } finally {
    await slack?.close();
  }
}

export async function localDown(configPath: string): Promise<number> {
  const stopped = await stopDetachedMoto();
  // The emulator keeps state in memory only: the provisioned config is gone with it.
  if (stopped) rmSync(configPath, { force: true });
  note(
    stopped ? `Stopped the emulator at ${stopped}` : 'No emulator started by `warden local up` is running',
  );
  return 0;
}
