import {
  GetBucketAclCommand,
  type GetBucketAclCommandOutput,
  GetBucketOwnershipControlsCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
  S3ControlServiceException,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { loadApiCall } from '../../fixtures.ts';
import { awsError, setupGuard } from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const s3ControlMock = mockClient(S3ControlClient);

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
type AclOutput = Omit<GetBucketAclCommandOutput, '$metadata'>;

const ownerGrant = {
  Grantee: { Type: 'CanonicalUser' as const, ID: OWNER },
  Permission: 'FULL_CONTROL' as const,
};
const groupGrant = (uri: string, permission: 'READ' | 'WRITE' | 'READ_ACP') => ({
  Grantee: { Type: 'Group' as const, URI: uri },
  Permission: permission,
});
const acl = (...grants: AclOutput['Grants'] & object): AclOutput => ({
  Owner: { ID: OWNER },
  Grants: grants,
});
const PRIVATE = acl(ownerGrant);
const PUBLIC_READ = acl(ownerGrant, groupGrant(ALL_USERS, 'READ'));
const LOGGING = [groupGrant(LOG_DELIVERY, 'WRITE'), groupGrant(LOG_DELIVERY, 'READ_ACP')];

const commandOrder = () => s3Mock.calls().map((call) => (call.args[0] as object).constructor.name);

describe('s3-guard: bucket ACLs', () => {
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(GetBucketOwnershipControlsCommand).rejects(awsError('OwnershipControlsNotFoundError', 404));
  });

  it('resets a public-read ACL to private, then disables ACLs with BucketOwnerEnforced', async () => {
    s3Mock.on(GetBucketAclCommand).resolvesOnce(PUBLIC_READ).resolves(PRIVATE);
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-acl-public-read.json'));

    expect(result.outcomes).toMatchObject([
      {
        controlId: 's3-public-acl',
        status: 'REMEDIATED',
        reason: expect.stringContaining('AllUsers READ'),
        actions: [
          'Reset the bucket ACL to private: removed AllUsers READ',
          'Set Object Ownership to BucketOwnerEnforced (ACLs disabled)',
        ],
      },
    ]);
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketAclCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
      ACL: 'private',
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketOwnershipControlsCommand, {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const order = commandOrder();
    expect(order.indexOf('PutBucketAclCommand')).toBeLessThan(
      order.indexOf('PutBucketOwnershipControlsCommand'),
    );
    expect(alerts).toHaveLength(1);
  });

  it('keeps log-delivery grants, and keeps ACLs enabled because S3 would refuse BucketOwnerEnforced', async () => {
    const withLogs = acl(ownerGrant, groupGrant(ALL_USERS, 'READ'), ...LOGGING);
    s3Mock
      .on(GetBucketAclCommand)
      .resolvesOnce(withLogs)
      .resolves(acl(ownerGrant, ...LOGGING));
    const { guard } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-acl-grants.json'));

    expect(result.outcomes[0]).toMatchObject({
      status: 'REMEDIATED',
      actions: [
        'Rewrote the bucket ACL: removed AllUsers READ; kept LogDelivery WRITE, LogDelivery READ_ACP',
      ],
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketAclCommand, {
      AccessControlPolicy: { Owner: { ID: OWNER }, Grants: [ownerGrant, ...LOGGING] },
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketOwnershipControlsCommand);
  });

  it('leaves an ACL with only owner and log-delivery grants alone', async () => {
    s3Mock.on(GetBucketAclCommand).resolves(acl(ownerGrant, ...LOGGING));
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-acl-grants.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketAclCommand);
    expect(alerts).toHaveLength(0);
  });

  it('handles the legacy x-amz-grant-read header event', async () => {
    s3Mock.on(GetBucketAclCommand).resolvesOnce(PUBLIC_READ).resolves(PRIVATE);
    const { guard } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-acl-grant-header-legacy.json'));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED', resource: 'example-bucket' });
  });

  it('repairs a public ACL exposed again by DeleteBucketOwnershipControls', async () => {
    s3Mock.on(GetBucketAclCommand).resolvesOnce(PUBLIC_READ).resolves(PRIVATE);
    const { guard, audits } = setupGuard();

    const result = await guard(loadApiCall('s3/delete-bucket-ownership-controls.json'));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED' });
    expect(audits[0]?.outcome).toMatchObject({
      before: {
        acl: { grants: expect.arrayContaining([expect.objectContaining({ permission: 'READ' })]) },
        ownershipControls: null,
      },
      after: { acl: { grants: [expect.objectContaining({ permission: 'FULL_CONTROL' })] } },
    });
  });

  it('stays quiet on DeleteBucketOwnershipControls when the ACL is private', async () => {
    s3Mock.on(GetBucketAclCommand).resolves(PRIVATE);
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/delete-bucket-ownership-controls.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(alerts).toHaveLength(0);
  });
});

const controlError = (name: string, status: number) =>
  new S3ControlServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const PARTIAL = { ...ALL_ON, BlockPublicPolicy: false, RestrictPublicBuckets: false };

describe('s3-guard: account-level Block Public Access', () => {
  beforeEach(() => {
    s3Mock.reset();
    s3ControlMock.reset();
  });

  it('turns all four account flags back on through S3 Control', async () => {
    s3ControlMock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: PARTIAL })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-account-public-access-block-partial.json'));

    expect(result.outcomes).toMatchObject([
      {
        controlId: 's3-account-public-access-block',
        resource: 'account 123456789012',
        status: 'REMEDIATED',
        reason: expect.stringContaining('BlockPublicPolicy, RestrictPublicBuckets'),
        before: { publicAccessBlock: PARTIAL },
        after: { publicAccessBlock: ALL_ON },
      },
    ]);
    expect(s3ControlMock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      AccountId: '123456789012',
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(alerts[0]).toMatchObject({
      resourceType: 'AWS::::Account',
      links: { resource: 'https://s3.console.aws.amazon.com/s3/settings?region=us-east-1' },
    });
  });

  it('repairs a deleted configuration', async () => {
    s3ControlMock
      .on(GetPublicAccessBlockCommand)
      .rejectsOnce(controlError('NoSuchPublicAccessBlockConfiguration', 404))
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard } = setupGuard();

    const result = await guard(loadApiCall('s3/delete-account-public-access-block.json'));

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
  });

  it('waits for the setting to show before judging the read-back', async () => {
    s3ControlMock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: PARTIAL })
      .resolvesOnce({ PublicAccessBlockConfiguration: PARTIAL })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard, pause } = setupGuard();

    const result = await guard(loadApiCall('s3/put-account-public-access-block-partial.json'));

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
    expect(pause).toHaveBeenCalledTimes(1);
  });

  it('reports a refusal by an Organizations policy as failed, alerts, and does not retry', async () => {
    s3ControlMock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: PARTIAL });
    s3ControlMock.on(PutPublicAccessBlockCommand).rejects(controlError('AccessDenied', 403));
    const { guard, alerts, audits } = setupGuard();

    const result = await guard(loadApiCall('s3/put-account-public-access-block-partial.json'));

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toMatchObject([
      {
        status: 'FAILED',
        reason: expect.stringContaining('AWS Organizations S3 policy manages Block Public Access'),
      },
    ]);
    expect(s3ControlMock).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(alerts[0]?.title).toBe('Warden could not repair account 123456789012');
    expect(audits).toMatchObject([{ resourceType: 'AWS::::Account', resource: 'account 123456789012' }]);
  });

  it('stays quiet when all four flags are on', async () => {
    s3ControlMock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-account-public-access-block-partial.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(alerts).toHaveLength(0);
  });

  it('is not subject to bucket exemptions', async () => {
    s3ControlMock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard } = setupGuard({ s3: { exemptBuckets: [{ bucket: '*', reason: 'test' }] } });

    const result = await guard(loadApiCall('s3/delete-account-public-access-block.json'));

    expect(result.status).toBe('PROCESSED');
  });
});
