import { isDeepStrictEqual } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ACTION_PREFIX, type AuditRecord, auditKeys, dynamoAuditLog } from '#shared/audit/audit-log.ts';
import { callAws } from '#shared/errors/errors.ts';
import { type AccountAction, describeAccountAction } from '#shared/model/account.ts';
import type {
  BucketStatePart,
  EncryptionRule,
  ObjectOwnership,
  PublicAccessBlock,
} from '#shared/model/bucket.ts';
import { type BucketAction, describeAction } from '#shared/model/bucket-actions.ts';
import type { BucketAcl } from '#shared/model/policy/acl.ts';
import { ACCOUNT_RESOURCE_TYPE, accountView, BUCKET_RESOURCE_TYPE, bucketView } from '#shared/model/views.ts';
import type { Clock } from '#shared/observability/observability.ts';
import { applyAccountAction } from '#shared/s3/account/account-actions.ts';
import { readAccountState } from '#shared/s3/account/account-state.ts';
import { applyBucketAction } from '#shared/s3/bucket-actions.ts';
import { readBucketState } from '#shared/s3/bucket-state.ts';
import type { KmsKeyReader } from '#shared/s3/kms-key.ts';
import { findAuditRecord } from './audit-queries.ts';

export interface UndoDeps {
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
  readonly s3: Pick<S3Client, 'send'>;
  /** Build it with `s3ControlClientConfig` so it reaches a local emulator too. */
  readonly s3Control: Pick<S3ControlClient, 'send'>;
  readonly clock: Clock;
  /** Who asks for the undo, for the audit trail (e.g. the caller's ARN). */
  readonly actor?: string;
}

export type UndoResult =
  | {
      readonly status: 'UNDONE';
      readonly actionId: string;
      /** The audit record of the undo itself. */
      readonly undoActionId: string;
      readonly resourceType: string;
      readonly resource: string;
      readonly controlId: string;
      /** What was written, in order, one line each. */
      readonly restored: readonly string[];
      /** The state found (what Warden had left) and the state read back after the undo. */
      readonly before: Record<string, unknown>;
      readonly after: Record<string, unknown>;
      /** True when the read-back equals the state before Warden's action. */
      readonly verified: boolean;
      /** How to stop Warden from repairing the resource again. */
      readonly exemptInstruction: string;
    }
  | {
      /** An earlier `warden undo` of this action is in the audit trail: nothing was read or written now. */
      readonly status: 'ALREADY_UNDONE';
      readonly actionId: string;
      /** The audit record of that earlier undo, when and by whom. */
      readonly undoActionId: string;
      readonly undoneAt: string;
      readonly undoneBy: string;
      readonly resourceType: string;
      readonly resource: string;
    }
  | { readonly status: 'REFUSED'; readonly actionId: string; readonly reason: string };

type UndoPlan =
  | {
      readonly scope: 'bucket';
      readonly parts: readonly BucketStatePart[];
      readonly actions: readonly BucketAction[];
    }
  | { readonly scope: 'account'; readonly actions: readonly AccountAction[] };

const MAX_SHOWN = 400;
const compact = (value: unknown): string => {
  const text = JSON.stringify(value) ?? 'undefined';
  const points = Array.from(text);
  return points.length <= MAX_SHOWN ? text : `${points.slice(0, MAX_SHOWN - 1).join('')}…`;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The writes that put back `before`, in an order S3 accepts. Pure. */
export function planUndo(record: AuditRecord): UndoPlan | { readonly refused: string } {
  const { outcome } = record;
  if (record.undoOf)
    return { refused: `${record.actionId} is itself an undo (of ${record.undoOf}); it cannot be undone.` };
  if (outcome.status !== 'REMEDIATED')
    return {
      refused: `${record.actionId} is ${outcome.status}: Warden changed nothing, so there is nothing to undo.`,
    };
  const before = outcome.before;
  if (!isRecord(before) || !isRecord(outcome.after))
    return { refused: `${record.actionId} does not record the state before and after the action.` };

  if (record.resourceType === ACCOUNT_RESOURCE_TYPE) {
    const flags = before.publicAccessBlock as PublicAccessBlock | undefined;
    if (!flags) return { refused: `${record.actionId} records no account-level Block Public Access state.` };
    return {
      scope: 'account',
      actions: [{ type: 'PutAccountPublicAccessBlock', accountId: record.accountId, configuration: flags }],
    };
  }
  if (record.resourceType !== BUCKET_RESOURCE_TYPE)
    return { refused: `${record.actionId} concerns a ${record.resourceType}, which undo does not handle.` };

  const bucket = record.resource;
  const actions: BucketAction[] = [];
  // Order matters: relax the guards first (Block Public Access, ACLs disabled), then put back what they guard.
  if ('publicAccessBlock' in before)
    actions.push({
      type: 'PutPublicAccessBlock',
      bucket,
      configuration: before.publicAccessBlock as PublicAccessBlock,
    });
  if ('ownershipControls' in before) {
    const ownership = before.ownershipControls as ObjectOwnership | null;
    actions.push(
      ownership === null
        ? { type: 'DeleteBucketOwnershipControls', bucket }
        : { type: 'PutBucketOwnershipControls', bucket, objectOwnership: ownership },
    );
  }
  if ('acl' in before)
    actions.push({
      type: 'PutBucketAcl',
      bucket,
      acl: before.acl as BucketAcl,
      why: `undo of ${record.actionId}`,
    });
  if ('policy' in before) {
    const policy = before.policy;
    const why = `undo of ${record.actionId}`;
    actions.push(
      policy === null
        ? { type: 'DeleteBucketPolicy', bucket, why }
        : {
            type: 'PutBucketPolicy',
            bucket,
            policy: typeof policy === 'string' ? policy : JSON.stringify(policy),
            why,
          },
    );
  }
  if ('encryption' in before) {
    const rules = before.encryption as EncryptionRule[];
    actions.push(
      rules.length === 0
        ? { type: 'DeleteBucketEncryption', bucket }
        : { type: 'RestoreBucketEncryption', bucket, rules },
    );
  }
  if (actions.length === 0)
    return { refused: `${record.actionId} records no state undo knows how to restore.` };
  return { scope: 'bucket', parts: Object.keys(before) as BucketStatePart[], actions };
}

/** Undo never reads the KMS key: it restores exactly what was there. */
const NO_KMS: KmsKeyReader = {
  status: () => Promise.reject(new Error('undo does not read KMS keys')),
};

function exemptInstructionFor(record: AuditRecord): string {
  if (record.resourceType === ACCOUNT_RESOURCE_TYPE) {
    return (
      `Warden repairs account-level Block Public Access again at its next change, and the undo's own call is one. ` +
      `To keep it, set controls.${record.outcome.controlId}.mode to detect (or off) in warden.policy.yaml and deploy.`
    );
  }
  return (
    `Warden repairs bucket ${record.resource} again at its next change, and the undo's own calls are such changes. ` +
    `To keep it as it is, add { bucket: "${record.resource}", reason: <why>, controls: [${record.outcome.controlId}] } to s3.exemptBuckets in warden.policy.yaml and deploy ` +
    `(ideally before undoing), or set controls.${record.outcome.controlId}.mode to detect.`
  );
}

/**
 * The audit record of an earlier undo of `record`: undo records live in the same resource partition
 * and name the action they reverted in `undoOf`. One Query on that partition, every page read.
 */
async function findEarlierUndo(
  deps: Pick<UndoDeps, 'documents' | 'tableName'>,
  record: AuditRecord,
): Promise<AuditRecord | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await callAws(`looking for an earlier undo of ${record.actionId}`, () =>
      deps.documents.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :action)',
          FilterExpression: 'undoOf = :id',
          ExpressionAttributeValues: {
            ':pk': auditKeys(record).pk,
            ':action': ACTION_PREFIX,
            ':id': record.actionId,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    const found = page.Items?.[0] as AuditRecord | undefined;
    if (found) return found;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}

/** What differs between two views, part by part, for a refusal people can act on. */
function describeChanges(now: Record<string, unknown>, left: Record<string, unknown>): string {
  return Object.keys({ ...left, ...now })
    .filter((part) => !isDeepStrictEqual(now[part], left[part]))
    .map((part) => `${part} is now ${compact(now[part])} (Warden left ${compact(left[part])})`)
    .join('; ');
}

/**
 * Re-applies the state recorded before one of Warden's actions, only when the resource still is as
 * Warden left it; records the undo in the audit trail. Refuses (no write at all) otherwise.
 */
export async function undoAction(deps: UndoDeps, actionId: string): Promise<UndoResult> {
  const record = await findAuditRecord(deps, actionId);
  if (!record)
    return {
      status: 'REFUSED',
      actionId,
      reason: `No audit record has action id ${actionId} (records are kept 400 days).`,
    };
  const plan = planUndo(record);
  if ('refused' in plan) return { status: 'REFUSED', actionId, reason: plan.refused };
  // Checked before the state: after an undo the resource no longer is as Warden left it, and
  // "someone else's change" would blame the user for their own undo.
  const earlier = await findEarlierUndo(deps, record);
  if (earlier)
    return {
      status: 'ALREADY_UNDONE',
      actionId,
      undoActionId: earlier.actionId,
      undoneAt: earlier.time,
      undoneBy: earlier.actor,
      resourceType: record.resourceType,
      resource: record.resource,
    };
  const left = record.outcome.after as Record<string, unknown>;

  const readView = async (): Promise<Record<string, unknown>> => {
    if (plan.scope === 'account') {
      const state = await readAccountState(deps, record.accountId, new Set(['publicAccessBlock']));
      return accountView(state, ['publicAccessBlock']);
    }
    const state = await readBucketState(
      { s3: deps.s3, kmsKeys: NO_KMS },
      record.resource,
      record.accountId,
      new Set(plan.parts),
    );
    return bucketView(state, plan.parts);
  };

  const current = await readView();
  if (!isDeepStrictEqual(current, left)) {
    return {
      status: 'REFUSED',
      actionId,
      reason: `${record.resource} changed since Warden's action ${actionId}, so undo would overwrite someone else's change: ${describeChanges(current, left)}. Nothing was written.`,
    };
  }

  const restored: string[] = [];
  if (plan.scope === 'account') {
    for (const action of plan.actions) {
      await applyAccountAction(deps, action);
      restored.push(describeAccountAction(action));
    }
  } else {
    for (const action of plan.actions) {
      await applyBucketAction(deps, action, record.accountId);
      restored.push(describeAction(action));
    }
  }
  const after = await readView();
  const verified = isDeepStrictEqual(after, record.outcome.before);
  const now = deps.clock.now();
  const undoActionId = `${actionId}:undo:${now.getTime()}`;
  await dynamoAuditLog(deps.documents, deps.tableName).record([
    {
      actionId: undoActionId,
      eventId: record.eventId,
      eventName: 'WardenUndo',
      time: now.toISOString(),
      actor: deps.actor ?? 'warden undo',
      accountId: record.accountId,
      region: record.region,
      resourceType: record.resourceType,
      resource: record.resource,
      outcome: {
        ...record.outcome,
        status: 'REMEDIATED',
        reason: `Undo of ${actionId}: re-applied the state from before Warden's action.${verified ? '' : ' The read-back differs from that state.'}`,
        actions: restored,
        before: current,
        after,
      },
      undoOf: actionId,
    },
  ]);
  return {
    status: 'UNDONE',
    actionId,
    undoActionId,
    resourceType: record.resourceType,
    resource: record.resource,
    controlId: record.outcome.controlId,
    restored,
    before: current,
    after,
    verified,
    exemptInstruction: exemptInstructionFor(record),
  };
}
