import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { callAws } from '#shared/errors/errors.ts';

/**
 * Buckets per ListBuckets page. AWS allows up to 10,000; unpaginated calls fail above 10,000 buckets,
 * so the sweep always paginates, one page per work item.
 */
export const BUCKETS_PER_PAGE = 1_000;

export interface BucketListing {
  readonly buckets: readonly string[];
  readonly continuationToken?: string;
  readonly warning?: string;
}

/** The most buckets one ListBuckets call returns. */
const MAX_BUCKETS_PER_CALL = 10_000;

/**
 * One page of the account's general purpose buckets in `region` (filtered by S3 with `BucketRegion`, so a
 * bucket is swept once, in its own region, with that region's key). S3 returns a continuation token
 * whenever more buckets follow, so a full page without one is usually the last: it is confirmed with one
 * call for a bucket more. When that call returns more (the local emulator returns no tokens), the rest
 * cannot be listed: said, not silently dropped.
 */
export async function listBucketPage(
  s3: Pick<S3Client, 'send'>,
  region: string,
  continuationToken?: string,
  pageSize: number = BUCKETS_PER_PAGE,
): Promise<BucketListing> {
  const list = (maxBuckets: number) =>
    callAws(`listing the buckets in ${region}`, () =>
      s3.send(
        new ListBucketsCommand({
          BucketRegion: region,
          MaxBuckets: maxBuckets,
          ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
        }),
      ),
    );
  const output = await list(pageSize);
  const buckets = (output.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : []));
  if (output.ContinuationToken) return { buckets, continuationToken: output.ContinuationToken };
  if (buckets.length < pageSize) return { buckets };
  // An account with exactly a multiple of the page size: the page is complete unless a bucket more shows.
  if (pageSize < MAX_BUCKETS_PER_CALL && ((await list(pageSize + 1)).Buckets ?? []).length <= pageSize)
    return { buckets };
  return {
    buckets,
    warning: `ListBuckets returned a full page of ${pageSize} buckets without a continuation token: buckets after ${buckets.at(-1)} may not have been listed`,
  };
}
