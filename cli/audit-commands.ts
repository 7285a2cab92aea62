import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import { clientConfig, s3ClientConfig, s3ControlClientConfig } from '#shared/aws/clients.ts';
import { BUCKET_RESOURCE_TYPE } from '#shared/model/views.ts';
import { systemClock } from '#shared/observability/observability.ts';
import { type AuditListOptions, listAuditRecords } from './audit/audit-queries.ts';
import { type UndoDeps, type UndoResult, undoAction } from './audit/undo.ts';
import { makeLocalClients } from './local/clients.ts';
import { readLocalConfig } from './local/local-config.ts';
import { LocalModeError } from './local/local-mode-error.ts';
import { isEndpointAnswering } from './local/moto.ts';
import { renderTable } from './output.ts';

const note = (line: string) => process.stderr.write(`${line}\n`);
const print = (text = '') => process.stdout.write(`${text}\n`);

export interface AuditTargetOptions {
  /** The audit table of a deployed stack (`--table`, or `WARDEN_AUDIT_TABLE`); local mode otherwise. */
  readonly table?: string;
  readonly region?: string;
  /** local.json to read in local mode. */
  readonly configPath: string;
}

/** Where the audit table lives and the clients to reach it (and, for undo, the resources). */
export interface AuditTarget {
  readonly description: string;
  readonly deps: Omit<UndoDeps, 'clock' | 'actor'> & { readonly sts: Pick<STSClient, 'send'> };
}

/**
 * A deployed stack when a table is named (credentials and region from the usual AWS chain; the
 * table name is the stack's `<prefix>-audit`), otherwise the local emulator from local.json.
 */
export async function resolveAuditTarget(
  options: AuditTargetOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuditTarget> {
  const table = options.table ?? env.WARDEN_AUDIT_TABLE;
  if (table) {
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region)
      throw new LocalModeError(
        'Set --region (or AWS_REGION) to the region of the Warden stack owning that table',
      );
    const target = { region };
    const dynamodb = new DynamoDBClient(clientConfig(target));
    return {
      description: `table ${table} in ${region}`,
      deps: {
        documents: DynamoDBDocumentClient.from(dynamodb),
        tableName: table,
        s3: new S3Client(s3ClientConfig(target)),
        s3Control: new S3ControlClient(s3ControlClientConfig(target)),
        sts: new STSClient(clientConfig(target)),
      },
    };
  }
  const config = readLocalConfig(options.configPath);
  if (!(await isEndpointAnswering(config.endpoint)))
    throw new LocalModeError(
      `The emulator at ${config.endpoint} does not answer: run \`warden local up\`, or pass --table for a deployed stack`,
    );
  const clients = makeLocalClients(config);
  return {
    description: `table ${config.auditTable} in the local emulator at ${config.endpoint}`,
    deps: {
      documents: DynamoDBDocumentClient.from(clients.dynamodb),
      tableName: config.auditTable,
      s3: clients.s3,
      s3Control: clients.s3Control,
      sts: clients.sts,
    },
  };
}

const OUTCOME_LABEL: Record<string, string> = {
  REMEDIATED: 'fixed',
  DETECTED: 'detected',
  FAILED: 'FAILED',
  ALREADY_COMPLIANT: 'compliant',
  SKIPPED: 'skipped',
};

function outcomeLabel(record: AuditRecord): string {
  if (record.fight) return record.fight.kind === 'started' ? 'FIGHT' : 'fight goes on';
  const label = OUTCOME_LABEL[record.outcome.status] ?? record.outcome.status;
  return record.undoOf ? 'undo' : label;
}

/** Under the table: who Warden is fighting over what, and what it does meanwhile (README, "Fights"). */
export function fightLines(records: readonly AuditRecord[]): string[] {
  return records.flatMap(({ fight, actionId, outcome, resource }) =>
    fight
      ? [
          `${actionId}: ${fight.repairs} repairs of ${outcome.controlId} on ${resource} in ${fight.minutes} min, ` +
            `re-applied by ${fight.opponents.join(', ') || 'someone CloudTrail did not show'}; Warden is ${fight.next}.`,
        ]
      : [],
  );
}

const shortTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

/** `warden audit list`: recent actions, newest first, one line each; the action id feeds `warden undo`. */
export async function auditList(target: AuditTarget, options: AuditListOptions): Promise<number> {
  const listing = await listAuditRecords(target.deps, options);
  note(
    `Audit trail: ${target.description}${options.bucket ? `, bucket ${options.bucket}` : ''}` +
      `${options.since ? `, since ${options.since}` : ''}, newest first`,
  );
  if (listing.records.length === 0) {
    print(options.bucket ? `No audit records for ${options.bucket}.` : 'No audit records.');
    return 0;
  }
  const rows = listing.records.map((record) => [
    shortTime(record.time),
    outcomeLabel(record),
    record.outcome.controlId,
    record.resource,
    record.eventName,
    record.actionId,
  ]);
  print(renderTable(['TIME (UTC)', 'OUTCOME', 'CONTROL', 'RESOURCE', 'EVENT', 'ACTION ID'], rows));
  const fights = fightLines(listing.records);
  if (fights.length > 0) print(['', 'Fights with another actor:', ...fights].join('\n'));
  if (!listing.complete)
    note('The table is large: only part of it was scanned. Use --bucket to see all of one bucket.');
  note('Undo a fix: warden undo <action-id>');
  return 0;
}

async function callerArn(target: AuditTarget): Promise<string | undefined> {
  try {
    return (await target.deps.sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch {
    return undefined;
  }
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * A repeated undo exits 0: the action the user named is undone, as asked, and a script that retries
 * `warden undo` (say after a timeout) must not read its own earlier success as a failure.
 */
function printAlreadyUndone(result: Extract<UndoResult, { status: 'ALREADY_UNDONE' }>): number {
  print(
    `Already undone: ${result.actionId} was undone at ${result.undoneAt} by ${result.undoneBy} (audit record ${result.undoActionId}). Nothing was written.`,
  );
  const listing =
    result.resourceType === BUCKET_RESOURCE_TYPE
      ? `warden audit list --bucket ${result.resource}`
      : 'warden audit list';
  print(
    `If Warden has repaired ${result.resource} again since, that repair is a new action: find it with \`${listing}\` and undo that one.`,
  );
  return 0;
}

/** `warden undo <action-id>`: puts back the recorded "before", or says clearly why it will not. */
export async function undo(target: AuditTarget, actionId: string): Promise<number> {
  const actor = await callerArn(target);
  const result = await undoAction(
    { ...target.deps, clock: systemClock, ...(actor ? { actor: `${actor} (warden undo)` } : {}) },
    actionId,
  );
  if (result.status === 'ALREADY_UNDONE') return printAlreadyUndone(result);
  if (result.status === 'REFUSED') {
    print(`Refused: ${result.reason}`);
    print();
    print('To keep Warden from repairing a bucket, add it to s3.exemptBuckets in warden.policy.yaml:');
    print('  s3:');
    print('    exemptBuckets:');
    print('      - bucket: <bucket-name>');
    print('        reason: <why, who asked>');
    print('        controls: [<control-id>]   # optional: only these controls (default: all)');
    print('        expires: <YYYY-MM-DD>      # optional: Warden guards the bucket again after it');
    print("then deploy (or set the control's mode to detect under controls.<control-id>.mode).");
    return 1;
  }
  print(`Undone ${result.actionId} (${result.controlId}) on ${result.resource}:`);
  for (const line of result.restored) print(`  • ${line}`);
  print(`  before undo  ${json(result.before)}`);
  print(`  after undo   ${json(result.after)}`);
  print(
    result.verified
      ? '  Read back: matches the state before Warden acted.'
      : '  Read back: DIFFERS from the state before Warden acted; check the resource.',
  );
  print(`  Audit record ${result.undoActionId}`);
  print();
  print(`Warning: ${result.exemptInstruction}`);
  return result.verified ? 0 : 1;
}
