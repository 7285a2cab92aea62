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

/**
 * One page of the account's general purpose buckets in `region` (filtered by S3 with `BucketRegion`, so a
 * bucket is swept once, in its own region, with that region's key). A full page without a continuation
 * token means the rest cannot be listed (the local emulator does this): said, not silently dropped.
 */
export async function listBucketPage(
  s3: Pick<S3Client, 'send'>,
  region: string,
  continuationToken?: string,
  pageSize: number = BUCKETS_PER_PAGE,
): Promise<BucketListing> {
  const output = await callAws(`listing the buckets in ${region}`, () =>
    s3.send(
      new ListBucketsCommand({
        BucketRegion: region,
        MaxBuckets: pageSize,
        ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
      }),
    ),
  );
  const buckets = (output.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : []));
  if (output.ContinuationToken) return { buckets, continuationToken: output.ContinuationToken };
  if (buckets.length >= pageSize)
    return {
      buckets,
      warning: `ListBuckets returned a full page of ${pageSize} buckets without a continuation token: buckets after ${buckets.at(-1)} may not have been listed`,
    };
  return { buckets };
}
