/**
 * The `warden` command line: local mode (emulator, provisioning, running a function's bundle), the
 * audit trail and undo, and reference output (controls, the root-keys SCP).
 * Every command validates the policy file first, so a bad policy fails here as it fails `cdk synth`.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from '#shared/config/names.ts';
import { WardenError } from '#shared/errors/errors.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import { normaliseSince } from './audit/audit-queries.ts';
import { auditList, resolveAuditTarget, undo } from './audit-commands.ts';
import { doctor } from './doctor.ts';
import { listExemptions } from './exemptions-command.ts';
import { listControls, scpRootKeys } from './info-commands.ts';
import { localConfigPath } from './local/local-config.ts';
import { PROJECT_ROOT } from './local/paths.ts';
import { localDown, localInvoke, localUp, parseFunctionName } from './local-commands.ts';
import { sweepCommand } from './sweep-command.ts';

const DEFAULT_LIMIT = 20;

const USAGE = `Usage: warden <command> [options]

Local mode (no AWS account needed):
  local up                          Start the local AWS emulator (moto) unless one answers, provision
                                    Warden's resources in it (tables, topic, key, roles, Slack webhook
                                    secret), write the local config and print it
  local invoke <function> <event>   Run the function's built bundle against the emulator with the event
                                    (a JSON file, or - for stdin): s3-guard and root-guard take an
                                    EventBridge event (events/s3, events/iam), notify-slack the event SNS
                                    gives Lambda (events/sns). Prints the result as JSON. Exit 0 when
                                    the event was PROCESSED or IGNORED (notify-slack: delivered or
                                    skipped), 1 when it was REJECTED or FAILED
  local down                        Stop the emulator \`local up\` started

Audit trail (the local emulator, or a deployed stack with --table):
  audit list [--bucket B] [--limit N] [--since T]
                                    Warden's recent actions, newest first (default limit ${DEFAULT_LIMIT};
                                    with --since, every action since T)
  undo <action-id>                  Re-apply the state from before one of Warden's fixes; refused when
                                    the resource changed since. Exit 1 when refused

Reference:
  controls                          The controls Warden runs, their severity, default mode and triggers
  sweep [--dry-run] [--json] [--aws] [--region R]
                                    Check every bucket and the account settings with the policy's
                                    controls: the emulator (default), or a real account with your AWS
                                    credentials (--aws or --region; --dry-run needs no Warden stack).
                                    --dry-run changes nothing and says what Warden would do. Exit 0 when
                                    nothing non-compliant remains, 1 when findings remain, 3 when
                                    something could not be checked
  exemptions [--json]               The policy's exempt buckets: pattern, controls, reason, expiry and
                                    status (active, expires in N days, expired)
  doctor [local]                    Will events flow? Trail logging, rules per region, Slack secret, key, alert
                                    topic: OK/WARN/FAIL each, against AWS (--region) or the emulator. Exit 1 unless all OK
  scp root-keys                     Print an SCP denying root access-key creation (JSON on stdout,
                                    how to attach it on stderr)

Options:
  --policy <file>   Policy file, validated by every command (default: ${DEFAULT_POLICY_FILE} at the repository root)
  --config <file>   Local-mode config (default: .warden/local.json, or WARDEN_LOCAL_CONFIG)
  --prefix <name>   Resource name prefix for \`local up\` (default: ${DEFAULT_PREFIX})
  --table <name>    Audit table of a deployed stack (<prefix>-audit, e.g. warden-audit); uses your AWS
                    credentials and region instead of the local config (or WARDEN_AUDIT_TABLE)
  --region <name>   Region of that stack (default: AWS_REGION)
  --bucket <name>   \`audit list\`: only this bucket's records
  --limit <n>       \`audit list\`: at most n records
  --since <time>    \`audit list\`: only records at or after this ISO-8601 time (a Slack digest gives
                    the command listing the resources it had no room to name)
  --json            \`exemptions\`, \`sweep\`: print JSON instead of a table
  --dry-run         \`sweep\`: read only; report what Warden would change
  --aws             \`sweep\`: a real account with your AWS credentials instead of the emulator
  -h, --help        Show this help

Environment:
  AWS_ENDPOINT_URL          Emulator endpoint for \`local up\` (default: http://127.0.0.1:5055)
  WARDEN_SLACK_WEBHOOK_URL  \`local up\`: store this real Slack webhook in the local secret instead of
                            the local capture server's URL
  WARDEN_LOCAL_CONFIG       Local-mode config file (as --config)
  WARDEN_AUDIT_TABLE        Audit table of a deployed stack (as --table)`;

const EXIT_USAGE = 2;

class UsageError extends Error {}

function resolvePath(option: string | undefined, fallback: string): string {
  if (!option) return fallback;
  return isAbsolute(option) ? option : resolve(process.cwd(), option);
}

function parseSince(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const since = normaliseSince(value);
  if (!since)
    throw new UsageError(`--since must be an ISO-8601 time such as 2026-11-20T10:00:00Z, not "${value}"`);
  return since;
}

function parseLimit(
  value: string | undefined,
  fallback: number | undefined = DEFAULT_LIMIT,
): number | undefined {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, not "${value}"`);
  return limit;
}

async function run(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      config: { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      table: { type: 'string' },
      region: { type: 'string' },
      bucket: { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      aws: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : EXIT_USAGE;
  }
  const [group, command, ...rest] = positionals;
  const policy = loadPolicyFile(resolvePath(values.policy, resolve(PROJECT_ROOT, DEFAULT_POLICY_FILE)));
  const configPath = resolvePath(values.config, localConfigPath());
  const auditTarget = () => resolveAuditTarget({ table: values.table, region: values.region, configPath });

  switch (group) {
    case 'local':
      switch (command) {
        case 'up':
          return localUp(values.prefix, configPath);
        case 'invoke': {
          const [functionName, eventSource] = rest;
          if (!functionName || !eventSource)
            throw new UsageError('Expected `warden local invoke <function> <event-file|->`');
          return localInvoke(parseFunctionName(functionName), eventSource, policy, configPath);
        }
        case 'down':
          return localDown(configPath);
        default:
          throw new UsageError(`Unknown command "local ${command ?? ''}"; expected local up|invoke|down`);
      }
    case 'audit':
      if (command !== 'list')
        throw new UsageError('Expected `warden audit list [--bucket B] [--limit N] [--since T]`');
      {
        const since = parseSince(values.since);
        // With --since, every record since then (a digest's command must list all it did not name).
        const limit = parseLimit(values.limit, since ? undefined : DEFAULT_LIMIT);
        return auditList(await auditTarget(), {
          ...(values.bucket ? { bucket: values.bucket } : {}),
          ...(limit ? { limit } : {}),
          ...(since ? { since } : {}),
        });
      }
    case 'undo':
      if (!command || rest.length > 0) throw new UsageError('Expected `warden undo <action-id>`');
      return undo(await auditTarget(), command);
    case 'scp':
      if (command !== 'root-keys') throw new UsageError('Expected `warden scp root-keys`');
      return scpRootKeys();
    case 'controls':
      return listControls();
    case 'sweep':
      if (command) throw new UsageError('Expected `warden sweep [--dry-run] [--json] [--aws] [--region R]`');
      return sweepCommand({
        dryRun: values['dry-run'] === true,
        json: values.json === true,
        aws: values.aws === true,
        ...(values.region ? { region: values.region } : {}),
        prefix: values.prefix,
        configPath,
        policy,
      });
    case 'exemptions':
      if (command) throw new UsageError('Expected `warden exemptions [--json]`');
      return listExemptions(policy, new Date(), { json: values.json === true });
    case 'doctor':
      return (
        await doctor({
          policy,
          prefix: values.prefix,
          target:
            command === 'local' ? { kind: 'local', configPath } : { kind: 'aws', region: values.region },
        })
      ).exitCode;
    default:
      throw new UsageError(`Unknown command "${group}"`);
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
