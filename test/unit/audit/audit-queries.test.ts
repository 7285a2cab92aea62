import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { dynamoBaselineStore } from '#shared/audit/baseline-store.ts';
import { listAuditRecords, normaliseSince } from '../../../cli/audit/audit-queries.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const deps = { documents, tableName: 'warden-audit' };

const item = (time: string, id: string) => ({
  pk: 'RESOURCE#b',
  sk: `ACTION#${time}#${id}`,
  expiresAt: 1,
  actionId: id,
  time,
  resource: 'b',
});

describe('listAuditRecords', () => {
  beforeEach(() => ddbMock.reset());

  it("queries one bucket's partition, newest first", async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [item('2026-11-20T10:00:00Z', 'a')] });

    const listing = await listAuditRecords(deps, { bucket: 'example-bucket', limit: 20 });

    expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'warden-audit',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :action)',
      ExpressionAttributeValues: { ':pk': 'RESOURCE#example-bucket', ':action': 'ACTION#' },
      ScanIndexForward: false,
      Limit: 20,
    });
    expect(listing).toEqual({
      records: [{ actionId: 'a', time: '2026-11-20T10:00:00Z', resource: 'b' }],
      complete: true,
    });
  });

  it('scans the table for action records only, across pages, sorted by time descending', async () => {
    ddbMock
      .on(ScanCommand)
      .resolvesOnce({
        Items: [item('2026-11-01T00:00:00Z', 'old')],
        ScannedCount: 2,
        LastEvaluatedKey: { pk: 'x' },
      })
      .resolves({
        Items: [item('2026-11-20T00:00:00Z', 'new'), item('2026-11-10T00:00:00Z', 'mid')],
        ScannedCount: 2,
      });

    const listing = await listAuditRecords(deps, { limit: 2 });

    expect(ddbMock).toHaveReceivedCommandWith(ScanCommand, {
      FilterExpression: 'begins_with(sk, :action)',
      ExpressionAttributeValues: { ':action': 'ACTION#' },
    });
    expect(listing.records.map((record) => record.actionId)).toEqual(['new', 'mid']);
    expect(listing.complete).toBe(true);
  });

  it('with --since, scans for the action records at or after that time, all of them', async () => {
    ddbMock.on(ScanCommand).resolves({
      Items: Array.from({ length: 30 }, (_, i) =>
        item(`2026-11-20T10:00:${String(i).padStart(2, '0')}.000Z`, `a${i}`),
      ),
      ScannedCount: 30,
    });

    const listing = await listAuditRecords(deps, { since: '2026-11-20T10:00:00.000Z' });

    expect(ddbMock).toHaveReceivedCommandWith(ScanCommand, {
      FilterExpression: 'begins_with(sk, :action) AND sk >= :since',
      ExpressionAttributeValues: { ':action': 'ACTION#', ':since': 'ACTION#2026-11-20T10:00:00.000Z' },
    });
    expect(listing.records).toHaveLength(30);
  });

  it("with --since and --bucket, queries that bucket's action records from that time on", async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });

    await listAuditRecords(deps, { bucket: 'b', since: '2026-11-20T10:00:00.000Z' });

    expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :end',
      ExpressionAttributeValues: {
        ':pk': 'RESOURCE#b',
        ':since': 'ACTION#2026-11-20T10:00:00.000Z',
        ':end': 'ACTION#~',
      },
      ScanIndexForward: false,
    });
  });

  it('stops at its bound and says the listing may be incomplete', async () => {
    ddbMock.on(ScanCommand).resolves({ Items: [], ScannedCount: 500, LastEvaluatedKey: { pk: 'x' } });

    const listing = await listAuditRecords(deps, { limit: 10 });

    expect(ddbMock).toHaveReceivedCommandTimes(ScanCommand, 10);
    expect(listing.complete).toBe(false);
  });
});

describe('normaliseSince', () => {
  it('writes an ISO time as audit records store theirs, so string order is time order', () => {
    expect(normaliseSince('2026-11-20T10:00:05Z')).toBe('2026-11-20T10:00:05.000Z');
    expect(normaliseSince('2026-11-20T12:00:05+02:00')).toBe('2026-11-20T10:00:05.000Z');
    expect(normaliseSince('2026-11-20')).toBe('2026-11-20T00:00:00.000Z');
  });

  it('refuses what is not an ISO time', () => {
    expect(['yesterday', '10:00', '2026-13-45T99:00:00Z', ''].map(normaliseSince)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

const KEY = { accountId: '111122223333', region: 'eu-west-1', bucket: 'b' };

describe('dynamoBaselineStore', () => {
  beforeEach(() => ddbMock.reset());

  it('keeps the baseline next to the bucket audit records, per account and region, later observation wins', async () => {
    const store = dynamoBaselineStore(documents, 'warden-audit');

    await store.writePolicy(KEY, { policy: null, observedAt: '2026-11-20T10:00:00Z', eventId: 'e' });

    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      Item: {
        pk: 'RESOURCE#b',
        sk: 'BASELINE#POLICY#111122223333#eu-west-1',
        policy: null,
        observedAt: '2026-11-20T10:00:00Z',
        eventId: 'e',
      },
      ConditionExpression: 'attribute_not_exists(observedAt) OR observedAt <= :observedAt',
    });
  });

  it('ignores an older observation that lost the race', async () => {
    ddbMock
      .on(PutCommand)
      .rejects(Object.assign(new Error('lost'), { name: 'ConditionalCheckFailedException' }));
    const store = dynamoBaselineStore(documents, 'warden-audit');

    await expect(
      store.writePolicy(KEY, { policy: '{}', observedAt: '2026-11-20T10:00:00Z', eventId: 'e' }),
    ).resolves.toBeUndefined();
  });

  it('reads "no policy" and "no baseline" apart', async () => {
    ddbMock
      .on(GetCommand)
      .resolvesOnce({ Item: { policy: null, observedAt: 't', eventId: 'e' } })
      .resolves({});
    const store = dynamoBaselineStore(documents, 'warden-audit');

    expect(await store.readPolicy(KEY)).toEqual({ policy: null, observedAt: 't', eventId: 'e' });
    expect(await store.readPolicy(KEY)).toBeUndefined();
  });

  it('ends a baseline with a dated tombstone that reads as no baseline', async () => {
    const store = dynamoBaselineStore(documents, 'warden-audit');
    ddbMock.on(GetCommand).resolves({
      Item: { observedAt: '2026-11-20T10:00:00.000Z', eventId: 'e', endedBecause: 'DeleteBucket' },
    });

    await store.endPolicy(KEY, {
      observedAt: '2026-11-20T10:00:00.000Z',
      eventId: 'e',
      reason: 'DeleteBucket',
    });

    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      Item: {
        pk: 'RESOURCE#b',
        sk: 'BASELINE#POLICY#111122223333#eu-west-1',
        observedAt: '2026-11-20T10:00:00.000Z',
        eventId: 'e',
        endedBecause: 'DeleteBucket',
      },
      ConditionExpression: 'attribute_not_exists(observedAt) OR observedAt <= :observedAt',
    });
    expect(await store.readPolicy(KEY)).toBeUndefined();
  });

  it('keeps the baselines of same-named buckets in other accounts and regions apart', async () => {
    ddbMock.on(GetCommand).resolves({});
    const store = dynamoBaselineStore(documents, 'warden-audit');

    await store.readPolicy({ ...KEY, accountId: '444455556666' });
    await store.readPolicy({ ...KEY, region: 'us-east-1' });

    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'RESOURCE#b', sk: 'BASELINE#POLICY#444455556666#eu-west-1' },
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'RESOURCE#b', sk: 'BASELINE#POLICY#111122223333#us-east-1' },
    });
  });
});
