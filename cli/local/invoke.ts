import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { FUNCTION_NAMES, type FunctionName, resourceNames } from '#shared/config/names.ts';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { NotifyEventSchema, type NotifyResponse } from '#shared/slack/inbound.ts';
import { buildOptions } from '../../infra/build.ts';
import { bundlePath } from '../../infra/config/bundles.ts';
import { functionEnvironment } from './function-env.ts';
import type { LocalConfig } from './local-config.ts';
import { LocalModeError } from './local-mode-error.ts';
import { PROJECT_ROOT } from './paths.ts';

export interface InvokeOptions {
  /** Extra variables, e.g. `POWERTOOLS_LOG_LEVEL: 'SILENT'` for a quiet demo. */
  readonly env?: Readonly<Record<string, string>>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Sources whose change makes a bundle stale. */
const SOURCE_DIRS = ['functions', 'shared'].map((dir) => join(PROJECT_ROOT, dir));

function newestSourceMtime(): number {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** The bundle CDK deploys; (re)built first when missing or older than the sources, so tests never run stale code. */
export async function ensureBundle(functionName: FunctionName): Promise<string> {
  const bundle = bundlePath(functionName);
  // Only this function: a half-written other function must not block running this one.
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSourceMtime())
    await build(buildOptions(functionName));
  if (!existsSync(bundle)) throw new LocalModeError(`The build did not produce ${bundle}`);
  return bundle;
}

function fakeLambdaContext(functionName: string): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Loads the bundle as Lambda would. The module URL carries a hash of the environment and the
 * bundle's mtime: the same environment reuses the loaded module (a warm container), a different
 * policy or emulator gets a fresh cold start, since handlers read their config at module load.
 */
async function loadHandler(bundle: string, env: Record<string, string>): Promise<Handler> {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(env))
    .update(String(statSync(bundle).mtimeMs))
    .digest('hex')
    .slice(0, 16);
  const module = (await import(`${pathToFileURL(bundle).href}?env=${fingerprint}`)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new LocalModeError(`${bundle} does not export a handler`);
  return module.handler as Handler;
}

/** What each function's handler returns. */
/**
 * What each function `warden local invoke` runs returns. The sweep's functions take no single event: `warden
 * sweep` runs their engine in-process against the emulator.
 */
export interface InvokeResults {
  readonly 's3-guard': GuardResult;
  readonly 'root-guard': GuardResult;
  readonly 'tamper-guard': GuardResult;
  readonly 'notify-slack': NotifyResponse;
}

export type InvocableFunction = keyof InvokeResults;
export const INVOCABLE_FUNCTIONS: readonly InvocableFunction[] = FUNCTION_NAMES.filter(
  (name): name is InvocableFunction => !name.startsWith('sweep-'),
);

function asGuardResult(value: unknown, functionName: string): GuardResult {
  const status = (value as { status?: unknown } | null)?.status;
  if (typeof status !== 'string') {
    throw new LocalModeError(`${functionName} returned no GuardResult: ${JSON.stringify(value)}`);
  }
  return value as GuardResult;
}

function asNotifyResponse(value: unknown): NotifyResponse {
  const response = value as Record<string, unknown> | null;
  if (typeof response?.delivered === 'number' || Array.isArray(response?.batchItemFailures))
    return value as NotifyResponse;
  throw new LocalModeError(`notify-slack returned an unexpected response: ${JSON.stringify(value)}`);
}

function checkResult<F extends InvocableFunction>(functionName: F, value: unknown): InvokeResults[F] {
  const checked =
    functionName === 'notify-slack' ? asNotifyResponse(value) : asGuardResult(value, functionName);
  return checked as InvokeResults[F];
}

/** Whether an invocation did its job (the CLI's exit code), and one line saying why not. */
export interface InvocationVerdict {
  readonly ok: boolean;
  readonly summary: string;
}

/**
 * Guards: PROCESSED or IGNORED is fine, REJECTED or FAILED is not, nor a PROCESSED event whose repair
 * failed for some control (recorded and alerted, but the resource is still not compliant). notify-slack: fine when every alert
 * was delivered or deliberately skipped; not when Slack refused a message, a record is to be retried,
 * or the event is neither SNS nor SQS (the function drops it without a retry).
 */
export function judgeInvocation<F extends InvocableFunction>(
  functionName: F,
  event: unknown,
  result: InvokeResults[F],
): InvocationVerdict {
  if (functionName !== 'notify-slack') {
    const guard = result as GuardResult;
    const failed = guard.outcomes.filter((outcome) => outcome.status === 'FAILED');
    if (guard.status === 'PROCESSED' && failed.length > 0)
      return {
        ok: false,
        summary: `PROCESSED, but ${failed.length} control(s) FAILED: ${failed.map((o) => `${o.controlId}: ${o.reason}`).join('; ')}`,
      };
    const ok = guard.status === 'PROCESSED' || guard.status === 'IGNORED';
    return { ok, summary: `${guard.status}${guard.reason ? `: ${guard.reason}` : ''}` };
  }
  if (!NotifyEventSchema.safeParse(event).success)
    return { ok: false, summary: 'REJECTED: the event is neither an SNS nor an SQS event' };
  const response = result as NotifyResponse;
  if ('batchItemFailures' in response) {
    const failed = response.batchItemFailures.length;
    return { ok: failed === 0, summary: failed === 0 ? 'DELIVERED' : `FAILED: ${failed} record(s) to retry` };
  }
  if (response.permanentFailures > 0)
    return { ok: false, summary: `FAILED: Slack refused ${response.permanentFailures} message(s) for good` };
  return {
    ok: true,
    summary:
      response.delivered > 0
        ? `DELIVERED: ${response.delivered} message(s)${response.digested ? `, ${response.digested} alert(s) in a digest` : ''}`
        : `SKIPPED: ${response.skipped} message(s) were not Warden alerts`,
  };
}

/**
 * Runs a function's built bundle in this process against the emulator, with the environment the
 * stack would give it. The environment stays set in `process.env` afterwards (as in a warm container).
 * Retryable failures are thrown by the handler, as in Lambda (notify-slack throws when Slack could
 * not take an SNS-delivered alert).
 */
export async function invokeLocal<F extends InvocableFunction>(
  functionName: F,
  event: unknown,
  localConfig: LocalConfig,
  policy: Policy,
  options: InvokeOptions = {},
): Promise<InvokeResults[F]> {
  const bundle = await ensureBundle(functionName);
  const env = { ...functionEnvironment(localConfig, policy, functionName), ...options.env };
  if (!('AWS_SESSION_TOKEN' in env)) delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, env);
  const handler = await loadHandler(bundle, env);
  const deployedName = resourceNames(localConfig.prefix).functionName(functionName);
  return checkResult(functionName, await handler(event, fakeLambdaContext(deployedName)));
}
