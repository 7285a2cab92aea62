import { readFileSync, rmSync } from 'node:fs';
import { FUNCTION_NAMES, type FunctionName } from '#shared/config/names.ts';
import { LOCAL_REGION } from '#shared/local/credentials.ts';
import { invokeLocal } from '#shared/local/invoke.ts';
import { type LocalConfig, readLocalConfig, writeLocalConfig } from '#shared/local/local-config.ts';
import { LocalModeError } from '#shared/local/local-mode-error.ts';
import {
  DEFAULT_LOCAL_ENDPOINT,
  isEndpointAnswering,
  startMoto,
  stopDetachedMoto,
} from '#shared/local/moto.ts';
import { LOCAL_CONFIG_FILE } from '#shared/local/paths.ts';
import { provisionLocal } from '#shared/local/provision.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { GuardResult } from '#shared/remediation/outcome.ts';
import { withStdoutOnStderr } from './output.ts';

const note = (line: string) => process.stderr.write(`${line}\n`);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The emulator endpoint: `AWS_ENDPOINT_URL` when set, otherwise Warden's default local port. */
export const localEndpoint = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_ENDPOINT_URL || DEFAULT_LOCAL_ENDPOINT;

/** Each command prints its result on stdout, progress on stderr, and resolves to the exit code. */
export async function localUp(prefix: string): Promise<number> {
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
  const config = await provisionLocal({ endpoint, region: LOCAL_REGION, prefix });
  writeLocalConfig(config);
  note(`Provisioned Warden's resources; config written to ${LOCAL_CONFIG_FILE}`);
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

export function parseFunctionName(value: string): FunctionName {
  const known: readonly string[] = FUNCTION_NAMES;
  if (!known.includes(value)) {
    throw new LocalModeError(`Unknown function "${value}"; expected one of: ${FUNCTION_NAMES.join(', ')}`);
  }
  return value as FunctionName;
}

const HANDLED = new Set<GuardResult['status']>(['PROCESSED', 'IGNORED']);

export async function localInvoke(
  functionName: FunctionName,
  eventSource: string,
  policy: Policy,
): Promise<number> {
  const config: LocalConfig = readLocalConfig();
  const event = readEvent(eventSource);
  if (!(await isEndpointAnswering(config.endpoint))) {
    throw new LocalModeError(`The emulator at ${config.endpoint} does not answer: run \`warden local up\``);
  }
  const result = await withStdoutOnStderr(() => invokeLocal(functionName, event, config, policy));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (HANDLED.has(result.status)) return 0;
  note(`${functionName} ${result.status}: ${result.reason ?? 'no reason given'}`);
  return 1;
}

export async function localDown(): Promise<number> {
  const stopped = await stopDetachedMoto();
  // The emulator keeps state in memory only: the provisioned config is gone with it.
  if (stopped) rmSync(LOCAL_CONFIG_FILE, { force: true });
  note(
    stopped ? `Stopped the emulator at ${stopped}` : 'No emulator started by `warden local up` is running',
  );
  return 0;
}
