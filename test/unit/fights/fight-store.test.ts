import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import { dynamoFightStore, fightItemId } from '#shared/audit/fight-store.ts';
import { AccessDeniedError, RetryableAwsError, TerminalAwsError } from '#shared/errors/errors.ts';
import { type AuditTarget, auditList, fightLines } from '../../../cli/audit-commands.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const NOW = new Date('2026-11-20T10:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const KEY = { accountId: '123456789012', region: 'eu-west-1', resource: 'shared-data' };
const ID = 'warden.fight#123456789012#eu-west-1#shared-data';
type State = { readonly count?: number };

const store = () => dynamoFightStore<State>(documents, 'warden-idempotency', () => NOW);
const conflict = () => new ConditionalCheckFailedException({ message: 'conditional', $metadata: {} });
const increment = (state: State) => ({
  state: { count: (state.count ?? 0) + 1 },
  result: (state.count ?? 0) + 1,
  expiresAt: NOW_SECONDS + 3600,
});

describe('dynamoFightStore', () => {
  beforeEach(() => ddbMock.reset());

  it('keys one item per account, region and resource', () => {
    expect(fightItemId(KEY)).toBe(ID);
  });

  it('reads the state with a consistent read, and an empty state when there is none', async () => {
    ddbMock.on(GetCommand).resolves({});

    expect(await store().read(KEY)).toEqual({});
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: 'warden-idempotency',
      Key: { id: ID },
      ConsistentRead: true,
    });
  });

  it('forgets a state whose TTL has passed (DynamoDB deletes expired items late)', async () => {
    ddbMock
      .on(GetCommand)
      .resolves({ Item: { id: ID, state: '{"count":4}', version: 2, expiration: NOW_SECONDS - 1 } });

    expect(await store().read(KEY)).toEqual({});
  });

  it('writes the changed state only if nobody wrote since it was read', async () => {
    ddbMock
      .on(GetCommand)
      .resolves({ Item: { id: ID, state: '{"count":1}', version: 7, expiration: NOW_SECONDS + 60 } });
    ddbMock.on(PutCommand).resolves({});

    expect(await store().update(KEY, increment)).toBe(2);
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'warden-idempotency',
      Item: { id: ID, state: '{"count":2}', version: 8, expiration: NOW_SECONDS + 3600 },
      ConditionExpression: 'attribute_not_exists(id) OR version = :version',
      ExpressionAttributeValues: { ':version': 7 },
    });
  });

  it('runs the change again on what a concurrent writer stored', async () => {
    ddbMock
      .on(GetCommand)
      .resolvesOnce({ Item: { id: ID, state: '{"count":1}', version: 1, expiration: NOW_SECONDS + 60 } })
      .resolves({ Item: { id: ID, state: '{"count":5}', version: 2, expiration: NOW_SECONDS + 60 } });
    ddbMock.on(PutCommand).rejectsOnce(conflict()).resolves({});

    expect(await store().update(KEY, increment)).toBe(6);
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 2);
  });

  it('asks Lambda to retry after five conflicts in a row', async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(PutCommand).rejects(conflict());

    await expect(store().update(KEY, increment)).rejects.toBeInstanceOf(RetryableAwsError);
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 5);
  });

  it('classifies other write failures as every adapter does: a throttle is retried, a denial is not', async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock
      .on(PutCommand)
      .rejectsOnce(Object.assign(new Error('slow'), { name: 'ThrottlingException' }))
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(store().update(KEY, increment)).rejects.toBeInstanceOf(RetryableAwsError);
    await expect(store().update(KEY, increment)).rejects.toBeInstanceOf(AccessDeniedError);
  });
});

describe('warden audit list: fights', () => {
  const record = (fight?: AuditRecord['fight']): AuditRecord => ({
    actionId: 'e3:s3-public-policy:fight',
    eventId: 'e3',
    eventName: 'PutBucketPolicy',
    time: '2026-11-20T10:08:00.000Z',
    actor: 'arn:aws:sts::123456789012:assumed-role/terraform-deployer/apply',
    accountId: '123456789012',
    region: 'us-east-1',
    resourceType: 'AWS::S3::Bucket',
    resource: 'shared-data',
    outcome: {
      controlId: 's3-public-policy',
      title: 't',
      severity: 'CRITICAL',
      compliance: [],
      resource: 'shared-data',
      status: 'DETECTED',
      reason: 'r',
      actions: [],
    },
    ...(fight ? { fight } : {}),
  });

  it('lists each fight with its repairs, the other actors and what Warden does meanwhile', () => {
    const fight = {
      kind: 'started' as const,
      repairs: 3,
      minutes: 8,
      opponents: ['arn:aws:iam::123456789012:role/terraform-deployer (Terraform/1.9.8): 3'],
      next: 'repairing silently',
    };

    expect(fightLines([record(fight), record()])).toEqual([
      'e3:s3-public-policy:fight: 3 repairs of s3-public-policy on shared-data in 8 min, re-applied by ' +
        'arn:aws:iam::123456789012:role/terraform-deployer (Terraform/1.9.8): 3; Warden is repairing silently.',
    ]);
  });

  it('leaves records without a fight out', () => {
    expect(fightLines([record()])).toEqual([]);
  });

  it('prints the fight as FIGHT in the table, with its line below', async () => {
    const fight = {
      kind: 'started' as const,
      repairs: 3,
      minutes: 8,
      opponents: ['role/tf: 3'],
      next: 'paused until X',
    };
    ddbMock.reset();
    ddbMock
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'RESOURCE#shared-data', sk: 'ACTION#t', ...record(fight) }] });
    const out: string[] = [];
    const write = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const target = {
      description: 'test',
      deps: { documents, tableName: 'warden-audit' },
    } as unknown as AuditTarget;

    try {
      expect(await auditList(target, { bucket: 'shared-data' })).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }

    expect(write).toHaveBeenCalled();
    const text = out.join('');
    expect(text).toMatch(/FIGHT\s+s3-public-policy\s+shared-data/);
    expect(text).toContain('Fights with another actor:');
    expect(text).toContain('re-applied by role/tf: 3; Warden is paused until X.');
  });
});

it('reports a read it cannot make as a terminal error', async () => {
  ddbMock.reset();
  ddbMock.on(GetCommand).rejects(Object.assign(new Error('no'), { name: 'ValidationException' }));

  await expect(store().read(KEY)).rejects.toBeInstanceOf(TerminalAwsError);
});
