import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listBucketPage } from '#shared/s3/list-buckets.ts';

/** S3 returns a continuation token whenever more buckets follow: a full page without one is usually the last. */
describe('bucket listing, a full page without a continuation token', () => {
  const s3Mock = mockClient(S3Client);
  beforeEach(() => s3Mock.reset());
  const named = (...names: string[]) => names.map((Name) => ({ Name }));

  it('is complete when asking for a bucket more returns no more (an account with exactly a page of buckets)', async () => {
    s3Mock.on(ListBucketsCommand).resolves({ Buckets: named('a-bucket', 'b-bucket') });

    const page = await listBucketPage(new S3Client({ region: 'us-east-1' }), 'us-east-1', 'token-1', 2);

    expect(page).toEqual({ buckets: ['a-bucket', 'b-bucket'] });
    expect(s3Mock.commandCalls(ListBucketsCommand).map((call) => call.args[0].input)).toEqual([
      { BucketRegion: 'us-east-1', MaxBuckets: 2, ContinuationToken: 'token-1' },
      { BucketRegion: 'us-east-1', MaxBuckets: 3, ContinuationToken: 'token-1' },
    ]);
  });

  it('warns when a bucket more shows (the emulator returns no continuation tokens)', async () => {
    s3Mock
      .on(ListBucketsCommand, { MaxBuckets: 2 })
      .resolves({ Buckets: named('a-bucket', 'b-bucket') })
      .on(ListBucketsCommand, { MaxBuckets: 3 })
      .resolves({ Buckets: named('a-bucket', 'b-bucket', 'c-bucket') });

    const page = await listBucketPage(new S3Client({ region: 'us-east-1' }), 'us-east-1', undefined, 2);

    expect(page.buckets).toEqual(['a-bucket', 'b-bucket']);
    expect(page.warning).toContain('buckets after b-bucket may not have been listed');
  });

  it('warns without a second call when the page is already the largest S3 returns', async () => {
    const full = Array.from({ length: 10_000 }, (_, index) => `bucket-${index}`);
    s3Mock.on(ListBucketsCommand).resolves({ Buckets: named(...full) });

    const page = await listBucketPage(new S3Client({ region: 'us-east-1' }), 'us-east-1', undefined, 10_000);

    expect(page.warning).toContain('full page of 10000 buckets');
    expect(s3Mock.commandCalls(ListBucketsCommand)).toHaveLength(1);
  });

  it('does not ask again when a continuation token says more follow', async () => {
    s3Mock
      .on(ListBucketsCommand)
      .resolves({ Buckets: named('a-bucket', 'b-bucket'), ContinuationToken: 'next' });

    const page = await listBucketPage(new S3Client({ region: 'us-east-1' }), 'us-east-1', undefined, 2);

    expect(page).toEqual({ buckets: ['a-bucket', 'b-bucket'], continuationToken: 'next' });
    expect(s3Mock.commandCalls(ListBucketsCommand)).toHaveLength(1);
  });
});
