import { describe, expect, it } from 'vitest';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall, principalArnOf, unwrapSingletons } from '#shared/events/normalise.ts';
import { loadCloudTrailEvent, loadEvent } from '../../fixtures.ts';

describe('normaliseApiCall', () => {
  it('reads the bucket, account, region and role of a current-encoding event', () => {
    const call = normaliseApiCall(loadCloudTrailEvent('s3/put-bucket-encryption-sse-s3.json'));

    expect(call).toMatchObject({
      eventName: 'PutBucketEncryption',
      accountId: '123456789012',
      region: 'us-east-1',
      actor: { type: 'AssumedRole', principalArn: 'arn:aws:iam::123456789012:role/PlatformEngineer' },
      requestParameters: { bucketName: 'example-bucket', host: 'example-bucket.s3.amazonaws.com' },
    });
  });

  it('unwraps the one-element arrays and lowercase host of the legacy encoding', () => {
    const call = normaliseApiCall(loadCloudTrailEvent('s3/put-bucket-encryption-sse-s3-legacy.json'));

    expect(call.requestParameters).toMatchObject({
      bucketName: 'example-bucket',
      host: 'example-bucket.s3.amazonaws.com',
      encryption: '',
    });
    expect(call.actor.principalArn).toBe('arn:aws:iam::123456789012:user/deploy-bot');
  });

  it('gives the same internal shape for both encodings of the same call', () => {
    const current = normaliseApiCall(loadCloudTrailEvent('s3/delete-bucket-public-access-block.json'));
    const legacy = normaliseApiCall(loadCloudTrailEvent('s3/delete-bucket-public-access-block-legacy.json'));

    expect(legacy.requestParameters).toEqual(current.requestParameters);
  });

  it('keeps a one-element list of objects as a list', () => {
    expect(unwrapSingletons({ Grant: [{ Permission: 'READ' }], acl: ['private'] })).toEqual({
      Grant: [{ Permission: 'READ' }],
      acl: 'private',
    });
  });

  it('falls back to the envelope account when recipientAccountId is absent', () => {
    const event = loadCloudTrailEvent('s3/create-bucket.json');
    const { recipientAccountId: _dropped, ...detail } = event.detail;

    expect(normaliseApiCall({ ...event, account: '210987654321', detail }).accountId).toBe('210987654321');
  });

  it('treats a null requestParameters as empty', () => {
    const event = loadCloudTrailEvent('s3/create-bucket.json');

    expect(
      normaliseApiCall({ ...event, detail: { ...event.detail, requestParameters: null } }).requestParameters,
    ).toEqual({});
  });
});

describe('principalArnOf', () => {
  it('derives the role ARN from an assumed-role session ARN when the session issuer is missing', () => {
    expect(
      principalArnOf({
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/warden-s3-guard-role/s1',
      }),
    ).toBe('arn:aws:iam::123456789012:role/warden-s3-guard-role');
  });

  it('returns undefined for a service principal without an ARN', () => {
    expect(principalArnOf({ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' })).toBeUndefined();
  });
});

describe('CloudTrailEventSchema', () => {
  it('accepts every sample S3 event', () => {
    for (const name of [
      'create-bucket',
      'create-bucket-legacy',
      'put-bucket-encryption-sse-s3',
      'put-bucket-encryption-sse-s3-legacy',
      'delete-bucket-encryption',
      'delete-bucket-encryption-legacy',
      'delete-bucket-public-access-block',
      'put-bucket-public-access-block-partial-legacy',
    ]) {
      expect(CloudTrailEventSchema.safeParse(loadEvent(`s3/${name}.json`)).success, name).toBe(true);
    }
  });

  it('rejects an event without eventID and names the field', () => {
    const result = CloudTrailEventSchema.safeParse(loadEvent('invalid/missing-event-id.json'));

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('detail.eventID');
  });
});
