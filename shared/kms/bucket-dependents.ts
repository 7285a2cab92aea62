import { GetBucketEncryptionCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { callAws } from '#shared/errors/errors.ts';

/**
 * Which buckets use a key as default encryption. Learned cheaply, only when a key event arrives: one
 * ListBuckets of the key's region (S3 can only use a key of the bucket's own region) and one
 * GetBucketEncryption per bucket there, a few at a time, up to a cap. An incomplete answer (cap reached,
 * a bucket Warden may not read) is said so: the caller then assumes a bucket may depend on the key.
 */
export interface BucketScanLimits {
  readonly maxBuckets: number;
  readonly concurrency: number;
}

export const BUCKET_SCAN_LIMITS: BucketScanLimits = { maxBuckets: 2_000, concurrency: 8 };

export interface KeyNames {
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: readonly string[];
}

export interface BucketScan {
  readonly buckets: readonly string[];
  /** Why the scan may have missed a bucket, when it may have. */
  readonly incomplete?: string;
}

/** Every spelling a bucket's `KMSMasterKeyID` may use for this key: id, ARN, alias name or alias ARN. */
function spellingsOf(key: KeyNames): ReadonlySet<string> {
  const aliasArn = (alias: string) => key.arn.replace(/:key\/.*$/, `:${alias}`);
  return new Set([key.keyId, key.arn, ...key.aliases, ...key.aliases.map(aliasArn)]);
}

async function bucketsOfRegion(s3: Pick<S3Client, 'send'>, region: string, max: number) {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await callAws(`listing the buckets of ${region}`, () =>
      s3.send(new ListBucketsCommand({ BucketRegion: region, MaxBuckets: 1_000, ContinuationToken: token })),
    );
    for (const bucket of page.Buckets ?? [])
      if (bucket.Name && (bucket.BucketRegion === undefined || bucket.BucketRegion === region))
        names.push(bucket.Name);
    token = page.ContinuationToken;
  } while (token && names.length <= max);
  return names;
}

async function defaultKeyOf(s3: Pick<S3Client, 'send'>, bucket: string): Promise<string | undefined> {
  try {
    const { ServerSideEncryptionConfiguration } = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket }),
    );
    return ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === 'ServerSideEncryptionConfigurationNotFoundError' || name === 'NoSuchBucket')
      return undefined;
    throw error;
  }
}

export async function bucketsUsingKey(
  s3: Pick<S3Client, 'send'>,
  key: KeyNames,
  region: string,
  limits: BucketScanLimits = BUCKET_SCAN_LIMITS,
): Promise<BucketScan> {
  const all = await bucketsOfRegion(s3, region, limits.maxBuckets);
  const checked = all.slice(0, limits.maxBuckets);
  const spellings = spellingsOf(key);
  const buckets: string[] = [];
  const unreadable: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < checked.length; index = next++) {
      const bucket = checked[index] as string;
      try {
        const keyId = await defaultKeyOf(s3, bucket);
        if (keyId && spellings.has(keyId)) buckets.push(bucket);
      } catch {
        unreadable.push(bucket);
      }
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  const incomplete = [
    ...(all.length > checked.length ? [`${region} has more than ${limits.maxBuckets} buckets`] : []),
    ...(unreadable.length > 0 ? [`the encryption of ${unreadable.length} bucket(s) could not be read`] : []),
  ].join('; ');
  return { buckets: buckets.sort(), ...(incomplete ? { incomplete } : {}) };
}
