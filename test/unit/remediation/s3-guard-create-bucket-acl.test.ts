import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  type GetBucketAclCommandOutput,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { loadApiCall, WARDEN_KEY_ARN } from '../../fixtures.ts';
import { setupGuard, TLS_ONLY_POLICY } from './guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const ownerGrant = {
  Grantee: { Type: 'CanonicalUser' as const, ID: OWNER },
  Permission: 'FULL_CONTROL' as const,
};
const PRIVATE: Omit<GetBucketAclCommandOutput, '$metadata'> = { Owner: { ID: OWNER }, Grants: [ownerGrant] };
const PUBLIC_READ: Omit<GetBucketAclCommandOutput, '$metadata'> = {
  Owner: { ID: OWNER },
  Grants: [
    ownerGrant,
    {
      Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    },
  ],
};
const ownership = (objectOwnership: 'ObjectWriter' | 'BucketOwnerEnforced') => ({
  OwnershipControls: { Rules: [{ ObjectOwnership: objectOwnership }] },
});

/*
 * Old templates create a bucket with `x-amz-acl: public-read` and Object Ownership ObjectWriter in one
 * CreateBucket call: no PutBucketAcl follows, so the ACL control has to run on CreateBucket itself.
 */
describe('s3-guard: CreateBucket with a public canned ACL', () => {
  beforeEach(() => {
    s3Mock.reset();
    kmsMock.reset();
    kmsMock
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', Enabled: true } });
    s3Mock.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: WARDEN_KEY_ARN },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: TLS_ONLY_POLICY });
    s3Mock.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('resets the ACL to private and enforces bucket-owner ownership', async () => {
    s3Mock.on(GetBucketAclCommand).resolvesOnce(PUBLIC_READ).resolves(PRIVATE);
    s3Mock
      .on(GetBucketOwnershipControlsCommand)
      .resolvesOnce(ownership('ObjectWriter'))
      .resolves(ownership('BucketOwnerEnforced'));
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/create-bucket-public-acl.json'));

    expect(result.outcomes.find((outcome) => outcome.controlId === 's3-public-acl')).toMatchObject({
      status: 'REMEDIATED',
      reason: expect.stringContaining('AllUsers READ'),
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketAclCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
      ACL: 'private',
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketOwnershipControlsCommand, {
      Bucket: 'example-bucket',
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(alerts).toHaveLength(1);
  });

  it('leaves a new private bucket with ACLs disabled alone', async () => {
    s3Mock.on(GetBucketAclCommand).resolves(PRIVATE);
    s3Mock.on(GetBucketOwnershipControlsCommand).resolves(ownership('BucketOwnerEnforced'));
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/create-bucket.json'));

    expect(result.outcomes.find((outcome) => outcome.controlId === 's3-public-acl')).toMatchObject({
      status: 'ALREADY_COMPLIANT',
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketAclCommand);
    expect(alerts).toHaveLength(0);
  });
});
