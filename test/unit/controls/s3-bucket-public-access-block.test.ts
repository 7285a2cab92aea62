import { describe, expect, it } from 'vitest';
import { s3BucketPublicAccessBlock } from '#shared/controls/s3-bucket-public-access-block.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import { ALL_BLOCKED, type BucketState } from '#shared/model/bucket.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const context: EvaluationContext = {
  policy: makePolicy(),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
};
const state = (publicAccessBlock: BucketState['publicAccessBlock']): BucketState => ({
  bucket: 'example-bucket',
  accountId: ACCOUNT_ID,
  ...(publicAccessBlock ? { publicAccessBlock } : {}),
});

describe('s3-bucket-public-access-block', () => {
  it('is compliant when all four settings are on', () => {
    expect(s3BucketPublicAccessBlock.check(state(ALL_BLOCKED), context)).toBeUndefined();
  });

  it('names every setting that is off', () => {
    const finding = s3BucketPublicAccessBlock.check(
      state({ ...ALL_BLOCKED, IgnorePublicAcls: false, RestrictPublicBuckets: false }),
      context,
    );

    expect(finding?.summary).toBe(
      'Bucket example-bucket has Block Public Access off for IgnorePublicAcls, RestrictPublicBuckets.',
    );
  });

  it('treats a missing configuration as all off', () => {
    expect(s3BucketPublicAccessBlock.check(state(undefined), context)?.summary).toContain('BlockPublicAcls');
  });

  it('plans one PutPublicAccessBlock', () => {
    const current = state(undefined);
    const finding = s3BucketPublicAccessBlock.check(current, context);
    if (!finding) throw new Error('expected a finding');

    expect(s3BucketPublicAccessBlock.fix(finding, current, context)).toEqual({
      actions: [{ type: 'PutPublicAccessBlock', bucket: 'example-bucket' }],
    });
  });
});
