import { describe, expect, it } from 'vitest';
import { s3EncryptionKms } from '#shared/controls/s3-encryption-kms.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import type { BucketState, EncryptionRule } from '#shared/model/bucket.ts';
import { ACCOUNT_ID, makePolicy, OTHER_KEY_ARN, WARDEN_KEY_ARN } from '../../fixtures.ts';

const context = (approved: string[] = []): EvaluationContext => ({
  policy: makePolicy({ s3: { approvedKmsKeyArns: approved } }),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
});

const rule = (algorithm: string, kmsKeyId?: string): EncryptionRule => ({
  algorithm,
  ...(kmsKeyId ? { kmsKeyId } : {}),
  bucketKeyEnabled: true,
  blockedEncryptionTypes: [],
});

const state = (encryption: EncryptionRule[], usable = true): BucketState => ({
  bucket: 'example-bucket',
  accountId: ACCOUNT_ID,
  encryption,
  wardenKey: { arn: WARDEN_KEY_ARN, state: usable ? 'Enabled' : 'Disabled', usable },
});

describe('s3-encryption-kms check', () => {
  it.each([
    ['SSE-KMS with Warden key', [rule('aws:kms', WARDEN_KEY_ARN)]],
    ['DSSE-KMS with Warden key', [rule('aws:kms:dsse', WARDEN_KEY_ARN)]],
    ['Warden key referenced by its bare id', [rule('aws:kms', WARDEN_KEY_ARN.split('/')[1])]],
  ])('is compliant with %s', (_label, encryption) => {
    expect(s3EncryptionKms.check(state(encryption), context())).toBeUndefined();
  });

  it('is compliant with a key the policy approves', () => {
    expect(
      s3EncryptionKms.check(state([rule('aws:kms', OTHER_KEY_ARN)]), context([OTHER_KEY_ARN])),
    ).toBeUndefined();
  });

  it.each([
    ['SSE-S3', [rule('AES256')], 'SSE-S3'],
    ['no configuration', [], 'no default encryption'],
    ['the AWS managed aws/s3 key', [rule('aws:kms')], 'AWS managed key'],
    ['an unapproved key', [rule('aws:kms', OTHER_KEY_ARN)], 'not approved'],
    ['an alias', [rule('aws:kms', 'alias/warden')], 'not approved'],
    [
      'a same-id key in another account',
      [rule('aws:kms', WARDEN_KEY_ARN.replace(ACCOUNT_ID, '999999999999'))],
      'not approved',
    ],
  ])('finds %s non-compliant', (_label, encryption, words) => {
    const finding = s3EncryptionKms.check(state(encryption), context());

    expect(finding?.summary).toContain(words);
    expect(finding?.observed).toEqual(encryption);
  });
});

describe('s3-encryption-kms fix', () => {
  it('sets Warden key by full ARN', () => {
    const current = state([rule('AES256')]);
    const finding = s3EncryptionKms.check(current, context());
    if (!finding) throw new Error('expected a finding');

    expect(s3EncryptionKms.fix(finding, current, context())).toEqual({
      actions: [{ type: 'PutBucketEncryption', bucket: 'example-bucket', kmsKeyArn: WARDEN_KEY_ARN }],
    });
  });

  it('refuses to point the bucket at a disabled key', () => {
    const current = state([rule('AES256')], false);
    const finding = s3EncryptionKms.check(current, context());
    if (!finding) throw new Error('expected a finding');

    const plan = s3EncryptionKms.fix(finding, current, context());

    expect(plan).toEqual({ blocked: expect.stringContaining('is Disabled') });
  });
});

describe('s3-encryption-kms outside the hub region', () => {
  const REGIONAL_KEY_ARN = `arn:aws:kms:eu-central-1:${ACCOUNT_ID}:key/5555aaaa-12ab-34cd-56ef-1234567890ab`;
  const inFrankfurt = (approved: string[] = []): EvaluationContext => ({
    ...context(approved),
    region: 'eu-central-1',
  });
  const frankfurtBucket = (encryption: EncryptionRule[]): BucketState => ({
    ...state(encryption),
    wardenKey: { arn: REGIONAL_KEY_ARN, state: 'Enabled', usable: true },
  });

  it("is compliant with Warden's key of the bucket's region", () => {
    expect(
      s3EncryptionKms.check(frankfurtBucket([rule('aws:kms', REGIONAL_KEY_ARN)]), inFrankfurt()),
    ).toBeUndefined();
  });

  it("finds the hub region's key non-compliant: S3 cannot use a key of another region", () => {
    const finding = s3EncryptionKms.check(frankfurtBucket([rule('aws:kms', WARDEN_KEY_ARN)]), inFrankfurt());

    expect(finding?.summary).toContain('not approved');
  });

  it('finds a policy-approved key of another region non-compliant', () => {
    const finding = s3EncryptionKms.check(
      frankfurtBucket([rule('aws:kms', OTHER_KEY_ARN)]),
      inFrankfurt([OTHER_KEY_ARN]),
    );

    expect(finding?.summary).toContain('not approved');
  });

  it("sets Warden's key of the bucket's region", () => {
    const current = frankfurtBucket([rule('AES256')]);
    const finding = s3EncryptionKms.check(current, inFrankfurt());
    if (!finding) throw new Error('expected a finding');

    expect(s3EncryptionKms.fix(finding, current, inFrankfurt())).toEqual({
      actions: [{ type: 'PutBucketEncryption', bucket: 'example-bucket', kmsKeyArn: REGIONAL_KEY_ARN }],
    });
  });

  it('refuses, naming the region, when Warden has no key there', () => {
    const aliasArn = `arn:aws:kms:eu-central-1:${ACCOUNT_ID}:alias/warden`;
    const current: BucketState = {
      ...state([rule('AES256')]),
      wardenKey: { arn: aliasArn, state: 'NotFound', usable: false },
    };
    const finding = s3EncryptionKms.check(current, inFrankfurt());
    if (!finding) throw new Error('expected a finding');

    expect(s3EncryptionKms.fix(finding, current, inFrankfurt())).toEqual({
      blocked: expect.stringMatching(
        /no KMS key in eu-central-1 \(arn:aws:kms:eu-central-1:\d+:alias\/warden\)/,
      ),
    });
  });
});
