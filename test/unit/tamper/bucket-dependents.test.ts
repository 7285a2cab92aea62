import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { bucketsUsingKey } from '#shared/kms/bucket-dependents.ts';
import { WARDEN_KEY_ARN } from '../../fixtures.ts';

const s3 = mockClient(S3Client);
const key = { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: WARDEN_KEY_ARN, aliases: ['alias/team'] };
const kmsRule = (keyId: string) => ({
  ServerSideEncryptionConfiguration: {
    Rules: [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: keyId } },
    ],
  },
});

beforeEach(() => s3.reset());

describe('which buckets use a key as default encryption', () => {
  it('matches the key by id, ARN, alias or alias ARN, in the key region only', async () => {
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: 'by-id', BucketRegion: 'us-east-1' },
        { Name: 'by-alias', BucketRegion: 'us-east-1' },
        { Name: 'by-alias-arn', BucketRegion: 'us-east-1' },
        { Name: 'other-key', BucketRegion: 'us-east-1' },
        { Name: 'elsewhere', BucketRegion: 'eu-west-1' },
      ],
    });
    s3.on(GetBucketEncryptionCommand, { Bucket: 'by-id' }).resolves(kmsRule(key.keyId));
    s3.on(GetBucketEncryptionCommand, { Bucket: 'by-alias' }).resolves(kmsRule('alias/team'));
    s3.on(GetBucketEncryptionCommand, { Bucket: 'by-alias-arn' }).resolves(
      kmsRule(WARDEN_KEY_ARN.replace(/key\/.*$/, 'alias/team')),
    );
    s3.on(GetBucketEncryptionCommand, { Bucket: 'other-key' }).resolves(kmsRule('0b9e7a43-aaaa'));

    const scan = await bucketsUsingKey(s3 as unknown as S3Client, key, 'us-east-1');

    expect(scan).toEqual({ buckets: ['by-alias', 'by-alias-arn', 'by-id'] });
    expect(s3.commandCalls(ListBucketsCommand)[0]?.args[0].input).toMatchObject({
      BucketRegion: 'us-east-1',
    });
    expect(
      s3.commandCalls(GetBucketEncryptionCommand).map((call) => call.args[0].input.Bucket),
    ).not.toContain('elsewhere');
  });

  it('says it is incomplete past the cap or when a bucket cannot be read', async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: ['a', 'b', 'c'].map((Name) => ({ Name })) });
    s3.on(GetBucketEncryptionCommand).resolves({});
    s3.on(GetBucketEncryptionCommand, { Bucket: 'a' }).rejects(
      Object.assign(new Error('no'), { name: 'AccessDenied' }),
    );

    const scan = await bucketsUsingKey(s3 as unknown as S3Client, key, 'us-east-1', {
      maxBuckets: 2,
      concurrency: 2,
    });

    expect(scan.buckets).toEqual([]);
    expect(scan.incomplete).toContain('more than 2 buckets');
    expect(scan.incomplete).toContain('1 bucket(s) could not be read');
    expect(s3.commandCalls(GetBucketEncryptionCommand)).toHaveLength(2);
  });
});
