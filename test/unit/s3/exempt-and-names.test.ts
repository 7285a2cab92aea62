import { describe, expect, it } from 'vitest';
import type { ApiCall } from '#shared/events/normalise.ts';
import { exemptFromAll, exemptionsOf } from '#shared/policy/exemptions.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { bucketNameOf } from '../../../functions/s3-guard/bucket-names.ts';
import { ACCOUNT_ID, loadApiCall, makePolicy } from '../../fixtures.ts';

const HERE = { accountId: ACCOUNT_ID, region: 'us-east-1' };
const NOW = new Date('2026-11-20T10:15:30Z');

const callOn = (bucketName: unknown): ApiCall => {
  const call = loadApiCall('s3/create-bucket.json');
  return { ...call, requestParameters: { ...call.requestParameters, bucketName } };
};

describe('exemptions of the shipped policy', () => {
  const shipped = loadPolicyFile('warden.policy.yaml');
  const exempt = (bucket: string) => exemptFromAll(exemptionsOf(bucket, shipped, HERE, NOW));

  it("exempts this account and region's CDK bootstrap bucket from every control", () => {
    expect(exempt(`cdk-hnb659fds-assets-${ACCOUNT_ID}-us-east-1`)).toBe(true);
  });

  it.each([
    ['any name that only looks like a CDK asset bucket', 'cdk-anything-assets-x'],
    ["another account's bootstrap bucket name", 'cdk-hnb659fds-assets-999999999999-us-east-1'],
    ["another region's bootstrap bucket name", `cdk-hnb659fds-assets-${ACCOUNT_ID}-eu-west-1`],
  ])('does not exempt %s', (_label, bucket) => {
    expect(exempt(bucket)).toBe(false);
  });
});

describe('exemption patterns', () => {
  const exemptWith = (pattern: string) =>
    makePolicy({ s3: { exemptBuckets: [{ bucket: pattern, reason: 'r' }] } });

  it('resolves {account} and {region} against the location of the call', () => {
    const policy = exemptWith('logs-{account}-{region}');
    const there = { accountId: '444455556666', region: 'eu-west-1' };

    expect(exemptFromAll(exemptionsOf('logs-444455556666-eu-west-1', policy, there, NOW))).toBe(true);
    expect(exemptFromAll(exemptionsOf('logs-444455556666-eu-west-1', policy, HERE, NOW))).toBe(false);
  });

  it('exempts a legacy bucket named exactly, upper case and underscores included', () => {
    const policy = exemptWith('Legacy_Reports');

    expect(exemptFromAll(exemptionsOf('Legacy_Reports', policy, HERE, NOW))).toBe(true);
    expect(exemptFromAll(exemptionsOf('legacy_reports', policy, HERE, NOW))).toBe(false);
  });
});

describe('bucketNameOf', () => {
  it.each([
    ['a current name', 'example-bucket'],
    ['a legacy us-east-1 name with upper case and underscores', 'My_Legacy.Bucket-2017'],
    ['a legacy name of 255 characters', `L${'a'.repeat(254)}`],
    ['a three-character name', 'abc'],
  ])('accepts %s', (_label, name) => {
    expect(bucketNameOf(callOn(name))).toBe(name);
  });

  it.each([
    ['a missing name', undefined],
    ['a name that is not a string', 42],
    ['a two-character name', 'ab'],
    ['a name of 256 characters', 'a'.repeat(256)],
    ['a name with a slash', 'bucket/key'],
    ['a name with a space', 'my bucket'],
  ])('rejects %s', (_label, name) => {
    expect(bucketNameOf(callOn(name))).toBeUndefined();
  });
});
