import { describe, expect, it } from 'vitest';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { SIGN_IN_DETAIL_TYPES } from '#shared/events/event-sources.ts';
import { classifyRootActivity } from '#shared/model/root-activity.ts';
import { loadApiCall, loadEvent } from '../../fixtures.ts';

describe('classifyRootActivity', () => {
  it('reads the key id and Java-style create date of a root CreateAccessKey', () => {
    const result = classifyRootActivity(loadApiCall('iam/root-create-access-key.json'));

    expect(result).toEqual({
      activity: {
        kind: 'root-access-key-created',
        accountId: '123456789012',
        accessKeyId: 'AKIAQ3EXAMPLEROOTKEY',
        createDate: 'Nov 20, 2026 11:02:13 AM',
      },
    });
  });

  it('keeps a root key event without a key id, so it still alerts', () => {
    const call = loadApiCall('iam/root-create-access-key.json', { responseElements: {} });

    expect(classifyRootActivity(call).activity).toEqual({
      kind: 'root-access-key-created',
      accountId: '123456789012',
    });
  });

  it.each([
    ['iam/iam-user-create-own-access-key.json', 'created by IAMUser'],
    ['iam/iam-admin-create-access-key-for-user.json', 'created by IAMUser'],
    ['iam/assumed-role-create-access-key.json', 'created by AssumedRole'],
    ['iam/root-create-access-key-for-iam-user.json', 'for IAM user ci-deployer'],
    ['iam/root-create-access-key-failed-call.json', 'the call failed (LimitExceededException)'],
    ['signin/root-console-login-failed.json', 'did not succeed (Failed authentication)'],
    ['signin/iam-user-console-login.json', 'by IAMUser arn:aws:iam::123456789012:user/alice, not root'],
  ])('ignores %s', (file, reason) => {
    const result = classifyRootActivity(loadApiCall(file));

    expect(result.activity).toBeUndefined();
    expect(result.ignored).toContain(reason);
  });

  it('reports a root console sign-in without MFA', () => {
    const result = classifyRootActivity(loadApiCall('signin/root-console-login-no-mfa.json'));

    expect(result.activity).toEqual({
      kind: 'root-console-sign-in',
      accountId: '123456789012',
      mfaUsed: false,
    });
  });

  it('reports a root console sign-in with MFA', () => {
    const result = classifyRootActivity(loadApiCall('signin/root-console-login-mfa.json'));

    expect(result.activity).toMatchObject({ kind: 'root-console-sign-in', mfaUsed: true });
  });

  it('reads the "Signin" spelling of the detail type like the "Sign In" one', () => {
    const event = loadEvent('signin/root-console-login-signin-spelling.json');

    const result = classifyRootActivity(loadApiCall('signin/root-console-login-signin-spelling.json'));

    expect(SIGN_IN_DETAIL_TYPES).toContain(event['detail-type']);
    expect(result.activity).toMatchObject({ kind: 'root-console-sign-in', mfaUsed: false });
  });

  it('ignores a sign-in that reports Failure even without an error message', () => {
    const call = loadApiCall('signin/root-console-login-no-mfa.json', {
      responseElements: { ConsoleLogin: 'Failure' },
    });

    expect(classifyRootActivity(call).ignored).toContain('did not succeed');
  });

  it('ignores events of other services', () => {
    const result = classifyRootActivity(loadApiCall('s3/delete-bucket-encryption.json'));

    expect(result.ignored).toBe('s3.amazonaws.com DeleteBucketEncryption is not an event root-guard handles');
  });

  it.each([
    'iam/root-create-access-key.json',
    'iam/root-create-access-key-for-iam-user.json',
    'iam/iam-user-create-own-access-key.json',
    'iam/iam-admin-create-access-key-for-user.json',
    'iam/assumed-role-create-access-key.json',
    'iam/root-create-access-key-failed-call.json',
    'signin/root-console-login-no-mfa.json',
    'signin/root-console-login-mfa.json',
    'signin/root-console-login-signin-spelling.json',
    'signin/root-console-login-failed.json',
    'signin/iam-user-console-login.json',
  ])('accepts sample %s at the edge schema', (file) => {
    expect(CloudTrailEventSchema.safeParse(loadEvent(file)).success).toBe(true);
  });
});
