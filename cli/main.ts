/**
 * The `warden` command line: local mode (emulator, provisioning, running a function's bundle).
 * Every command validates the policy file first, so a bad policy fails here as it fails `cdk synth`.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from '#shared/config/names.ts';
import { WardenError } from '#shared/errors/errors.ts';
import { PROJECT_ROOT } from '#shared/local/paths.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import { localDown, localInvoke, localUp, parseFunctionName } from './local-commands.ts';

const USAGE = `Usage: warden local <command> [options]

Commands:
  local up                          Start the local AWS emulator (moto) unless one answers, provision
                                    Warden's resources in it, write .warden/local.json and print it
  local invoke <function> <event>   Run the function's built bundle against the emulator with the event
                                    (a JSON file, or - for stdin); print the result as JSON.
                                    Exit 0 when the event was PROCESSED or IGNORED, 1 otherwise
  local down                        Stop the emulator \`local up\` started

Options:
  --policy <file>   Policy file (default: ${DEFAULT_POLICY_FILE} at the repository root)
  --prefix <name>   Resource name prefix for \`local up\` (default: ${DEFAULT_PREFIX})
  -h, --help        Show this help

Environment:
  AWS_ENDPOINT_URL  Emulator endpoint (default: http://127.0.0.1:5055)`;

const EXIT_USAGE = 2;

class UsageError extends Error {}

function policyPath(option: string | undefined): string {
  if (!option) return resolve(PROJECT_ROOT, DEFAULT_POLICY_FILE);
  return isAbsolute(option) ? option : resolve(process.cwd(), option);
}

async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [group, command, ...rest] = positionals;
  if (group !== 'local' || !command) throw new UsageError('Expected `warden local up|invoke|down`');
  const policy = loadPolicyFile(policyPath(values.policy));
  switch (command) {
    case 'up':
      return localUp(values.prefix);
    case 'invoke': {
      const [functionName, eventSource] = rest;
      if (!functionName || !eventSource)
        throw new UsageError('Expected `warden local invoke <function> <event-file|->`');
      return localInvoke(parseFunctionName(functionName), eventSource, policy);
    }
    case 'down':
      return localDown();
    default:
      throw new UsageError(`Unknown command "local ${command}"`);
  }
}

/** Runs the CLI and returns the exit code; errors are printed, never thrown. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`warden: ${(error as Error).message}\n\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    const label = error instanceof WardenError ? error.name : 'Error';
    process.stderr.write(`warden: ${label}: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
