import { CreateAliasCommand, CreateKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientConfig, s3ClientConfig } from '#shared/aws/clients.ts';
import { resourceNames } from '#shared/config/names.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import type { SampleEvent } from '../../cli/local/sample-events.ts';
import {
  loadSampleEvent,
  localConfig,
  QUIET,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * S3 can only use a KMS key of the bucket's own region. A bucket in a forwarding region is pointed
 * at the key Warden's stack made there (found by the hub key's alias), never at the hub's key; where
 * there is none, the fix is refused with the reason and the bucket is left alone.
 */
const policy = loadPolicyFile('warden.policy.yaml');

function clientsIn(region: string) {
  const config = localConfig();
  const target = {
    endpoint: config.endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  return { s3: new S3Client(s3ClientConfig(target)), kms: new KMSClient(clientConfig(target)) };
}

/** Warden's key in a region, as the forwarder stack there creates it (found again if it exists). */
async function wardenKeyIn(kms: KMSClient): Promise<string> {
  const alias = resourceNames().kmsKeyAlias;
  const { Aliases = [] } = await kms.send(new ListAliasesCommand({}));
  const existing = Aliases.find((entry) => entry.AliasName === alias)?.TargetKeyId;
  if (existing) return `arn:aws:kms:${await kms.config.region()}:${localConfig().accountId}:key/${existing}`;
  const key = (await kms.send(new CreateKeyCommand({ Description: 'Warden bucket key' }))).KeyMetadata;
  if (!key?.Arn || !key.KeyId) throw new Error('moto returned no key');
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
  return key.Arn;
}

async function sseS3BucketIn(region: string): Promise<{ bucket: string; event: SampleEvent }> {
  const { s3 } = clientsIn(region);
  const bucket = uniqueBucketName('regional');
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
    }),
  );
  await resetBucket(s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });
  const event = retargetEvent(loadSampleEvent('s3/put-bucket-encryption-sse-s3.json'), {
    bucket,
    accountId: localConfig().accountId,
  });
  event.region = region;
  (event.detail as { awsRegion: string }).awsRegion = region;
  return { bucket, event };
}

describe('s3-guard outside the hub region, against moto', () => {
  it("points a bucket at Warden's key of the bucket's own region", async () => {
    const region = 'eu-central-1';
    const regionalKey = await wardenKeyIn(clientsIn(region).kms);
    const { bucket, event } = await sseS3BucketIn(region);

    const result = await invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

    expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
    expect(regionalKey).not.toBe(localConfig().kmsKeyArn);
    expect((await readBucketSnapshot(clientsIn(region).s3, bucket)).encryption).toEqual({
      algorithm: 'aws:kms',
      kmsKeyId: regionalKey,
      bucketKeyEnabled: true,
    });
  });

  it('refuses the fix, naming the region, where Warden has no key, and leaves the bucket alone', async () => {
    const region = 'ap-southeast-2';
    const { bucket, event } = await sseS3BucketIn(region);

    const result = await invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

    expect(result.outcomes).toMatchObject([
      {
        controlId: 's3-encryption-kms',
        status: 'FAILED',
        reason: expect.stringContaining(`no KMS key in ${region}`),
      },
    ]);
    expect((await readBucketSnapshot(clientsIn(region).s3, bucket)).encryption).toMatchObject({
      algorithm: 'AES256',
    });
  });
});
