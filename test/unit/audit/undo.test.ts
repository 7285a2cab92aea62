import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import { undoAction } from '../../../cli/audit/undo.ts';

const s3Mock = mockClient(S3Client);
const s3ControlMock = mockClient(S3ControlClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ALL_OFF = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};
const PUBLIC_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-bucket/*',
    },
  ],
};
const GOOD_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Team',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/team' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-bucket/*',
    },
  ],
};

type RecordOverrides = Partial<Omit<AuditRecord, 'outcome'>> & { outcome?: Partial<AuditRecord['outcome']> };

function record(overrides: RecordOverrides = {}): AuditRecord {
  const { outcome, ...rest } = overrides;
  return {
    actionId: 'evt-1:s3-public-policy',
    eventId: 'evt-1',
    eventName: 'PutBucketPolicy',
    time: '2026-11-20T10:15:30.000Z',
    actor: 'arn:aws:iam::123456789012:role/PlatformEngineer',
    accountId: '123456789012',
    region: 'us-east-1',
    resourceType: 'AWS::S3::Bucket',
    resource: 'example-bucket',
    ...rest,
    outcome: {
      controlId: 's3-public-policy',
      title: 'S3 bucket policies do not grant public access',
      severity: 'CRITICAL',
      compliance: [],
      resource: 'example-bucket',
      status: 'REMEDIATED',
      reason: 'public',
      actions: [],
      before: { policy: PUBLIC_POLICY, publicAccessBlock: ALL_OFF },
      after: { policy: GOOD_POLICY, publicAccessBlock: ALL_ON },
      ...outcome,
    },
  };
}

function deps() {
  return {
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'warden-audit',
    s3: new S3Client({ region: 'us-east-1' }),
    s3Control: new S3ControlClient({ region: 'us-east-1' }),
    clock: { now: () => new Date('2026-11-21T08:00:00Z') },
    actor: 'arn:aws:iam::123456789012:user/alice',
  };
}

const order = () => s3Mock.calls().map((call) => (call.args[0] as object).constructor.name);

describe('undoAction', () => {
  beforeEach(() => {
    s3Mock.reset();
    s3ControlMock.reset();
    ddbMock.reset();
    // No earlier undo of the action unless a test says otherwise.
    ddbMock.on(QueryCommand).resolves({ Items: [] });
  });

  it('re-applies the state before the action, Block Public Access first, and records the undo', async () => {
    ddbMock
      .on(ScanCommand)
      .resolves({ Items: [{ pk: 'RESOURCE#example-bucket', sk: 'ACTION#x', ...record() }] });
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: JSON.stringify(GOOD_POLICY) })
      .resolves({ Policy: JSON.stringify(PUBLIC_POLICY) });
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_ON })
      .resolves({ PublicAccessBlockConfiguration: ALL_OFF });

    const result = await undoAction(deps(), 'evt-1:s3-public-policy');

    expect(result).toMatchObject({
      status: 'UNDONE',
      resource: 'example-bucket',
      verified: true,
      exemptInstruction: expect.stringContaining('s3.exemptBuckets'),
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketPolicyCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
      Policy: JSON.stringify(PUBLIC_POLICY),
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      PublicAccessBlockConfiguration: ALL_OFF,
    });
    expect(order().indexOf('PutPublicAccessBlockCommand')).toBeLessThan(
      order().indexOf('PutBucketPolicyCommand'),
    );
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'warden-audit',
      Item: expect.objectContaining({
        undoOf: 'evt-1:s3-public-policy',
        eventName: 'WardenUndo',
        actor: 'arn:aws:iam::123456789012:user/alice',
        pk: 'RESOURCE#example-bucket',
      }),
    });
  });

  it('refuses, writing nothing, when the bucket changed since the action', async () => {
    ddbMock.on(ScanCommand).resolves({ Items: [record()] });
    const someoneElses = { ...GOOD_POLICY, Statement: [{ ...GOOD_POLICY.Statement[0], Sid: 'Changed' }] };
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(someoneElses) });
    s3Mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    const result = await undoAction(deps(), 'evt-1:s3-public-policy');

    expect(result).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('changed since') });
    expect(result.status === 'REFUSED' && result.reason).toContain('policy is now');
    expect(result.status === 'REFUSED' && result.reason).not.toContain('publicAccessBlock is now');
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
    expect(ddbMock).not.toHaveReceivedCommand(PutCommand);
  });

  it('says the action was already undone, naming that undo, and reads and writes no resource', async () => {
    const earlierUndo = record({
      actionId: 'evt-1:s3-public-policy:undo:1795248000000',
      eventName: 'WardenUndo',
      time: '2026-11-21T07:00:00.000Z',
      actor: 'arn:aws:iam::123456789012:user/bob (warden undo)',
      undoOf: 'evt-1:s3-public-policy',
    });
    ddbMock.on(ScanCommand).resolves({ Items: [record()] });
    ddbMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'RESOURCE#example-bucket', sk: 'ACTION#a' } })
      .resolves({ Items: [{ pk: 'RESOURCE#example-bucket', sk: 'ACTION#b', ...earlierUndo }] });

    const result = await undoAction(deps(), 'evt-1:s3-public-policy');

    expect(result).toEqual({
      status: 'ALREADY_UNDONE',
      actionId: 'evt-1:s3-public-policy',
      undoActionId: 'evt-1:s3-public-policy:undo:1795248000000',
      undoneAt: '2026-11-21T07:00:00.000Z',
      undoneBy: 'arn:aws:iam::123456789012:user/bob (warden undo)',
      resourceType: 'AWS::S3::Bucket',
      resource: 'example-bucket',
    });
    expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, {
      ExpressionAttributeValues: expect.objectContaining({
        ':pk': 'RESOURCE#example-bucket',
        ':id': 'evt-1:s3-public-policy',
      }),
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(ddbMock).not.toHaveReceivedCommand(PutCommand);
  });

  it('refuses an action that changed nothing', async () => {
    ddbMock.on(ScanCommand).resolves({ Items: [record({ outcome: { status: 'DETECTED' } })] });

    const result = await undoAction(deps(), 'evt-1:s3-public-policy');

    expect(result).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('DETECTED') });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('refuses an unknown action id, after reading every page', async () => {
    ddbMock
      .on(ScanCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'a', sk: 'b' } })
      .resolves({ Items: [] });

    const result = await undoAction(deps(), 'nope');

    expect(result).toMatchObject({ status: 'REFUSED', reason: expect.stringContaining('No audit record') });
    expect(ddbMock).toHaveReceivedCommandTimes(ScanCommand, 2);
  });

  it('puts Object Ownership back before the ACL', async () => {
    const publicAcl = {
      owner: { id: OWNER },
      grants: [
        { grantee: { type: 'CanonicalUser', id: OWNER }, permission: 'FULL_CONTROL', source: 'Grants' },
        {
          grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' },
          permission: 'READ',
          source: 'Grants',
        },
      ],
    };
    const privateAcl = { owner: { id: OWNER }, grants: [publicAcl.grants[0]] };
    ddbMock.on(ScanCommand).resolves({
      Items: [
        record({
          actionId: 'evt-2:s3-public-acl',
          outcome: {
            controlId: 's3-public-acl',
            before: { acl: publicAcl, ownershipControls: null },
            after: { acl: privateAcl, ownershipControls: 'BucketOwnerEnforced' },
          },
        }),
      ],
    });
    s3Mock.on(GetBucketAclCommand).resolves({
      Owner: { ID: OWNER },
      Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER }, Permission: 'FULL_CONTROL' }],
    });
    s3Mock
      .on(GetBucketOwnershipControlsCommand)
      .resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });

    const result = await undoAction(deps(), 'evt-2:s3-public-acl');

    expect(result.status).toBe('UNDONE');
    expect(order().indexOf('DeleteBucketOwnershipControlsCommand')).toBeLessThan(
      order().indexOf('PutBucketAclCommand'),
    );
    expect(s3Mock).toHaveReceivedCommand(DeleteBucketOwnershipControlsCommand);
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketAclCommand, {
      AccessControlPolicy: expect.objectContaining({
        Grants: expect.arrayContaining([
          {
            Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
            Permission: 'READ',
          },
        ]),
      }),
    });
  });

  it('restores account-level Block Public Access through S3 Control', async () => {
    ddbMock.on(ScanCommand).resolves({
      Items: [
        record({
          actionId: 'evt-3:s3-account-public-access-block',
          resourceType: 'AWS::::Account',
          resource: 'account 123456789012',
          outcome: {
            controlId: 's3-account-public-access-block',
            before: { publicAccessBlock: ALL_OFF },
            after: { publicAccessBlock: ALL_ON },
          },
        }),
      ],
    });
    s3ControlMock
      .on(GetAccountPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_ON })
      .resolves({ PublicAccessBlockConfiguration: ALL_OFF });

    const result = await undoAction(deps(), 'evt-3:s3-account-public-access-block');

    expect(result).toMatchObject({
      status: 'UNDONE',
      exemptInstruction: expect.stringContaining('controls.s3-account-public-access-block.mode'),
    });
    expect(s3ControlMock).toHaveReceivedCommandWith(PutAccountPublicAccessBlockCommand, {
      AccountId: '123456789012',
      PublicAccessBlockConfiguration: ALL_OFF,
    });
  });

  it('lets S3 errors through as typed Warden errors', async () => {
    ddbMock.on(ScanCommand).resolves({ Items: [record()] });
    s3Mock.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'no',
      }),
    );
    s3Mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    await expect(undoAction(deps(), 'evt-1:s3-public-policy')).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });
  });
});
