import { describe, expect, it } from 'vitest';
import { sessionNameFor } from '#shared/aws/cross-account.ts';
import { functionSessionArns, MEMBER_ROLE_SESSION_PREFIX, resourceNames } from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { ignoreReason, isMemberRoleSession } from '#shared/guard/ignore.ts';
import { ACCOUNT_ID, loadApiCall } from '../../fixtures.ts';

/*
 * A call is Warden's own only when it comes from Warden's own session: the role alone proves
 * nothing, since anyone allowed to pass Warden's role can run a function of their own with it.
 */
const OWN_SESSIONS = functionSessionArns(resourceNames(), { partition: 'aws', accountId: ACCOUNT_ID });
const MEMBER_ACCOUNT = '345678901234';

/** The sample change, made by `sessionArn` (an assumed-role session of `roleName`). */
function callBy(roleName: string, sessionName: string, accountId = ACCOUNT_ID): ApiCall {
  const call = loadApiCall('s3/delete-bucket-encryption.json');
  return {
    ...call,
    actor: {
      type: 'AssumedRole',
      principalArn: `arn:aws:iam::${accountId}:role/${roleName}`,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      accountId,
    },
  };
}

const ignored = (call: ApiCall, memberRoleName?: string) =>
  ignoreReason(call, S3_GUARD_EVENT_NAMES, OWN_SESSIONS, memberRoleName);

describe("ignoreReason: Warden's own calls", () => {
  it("ignores a call from s3-guard's function session", () => {
    expect(ignored(callBy('warden-s3-guard-role', 'warden-s3-guard'))).toMatch("Warden's own remediation");
  });

  it("ignores the sample event of Warden's own fix", () => {
    expect(ignored(loadApiCall('s3/put-bucket-encryption-by-warden.json'))).toMatch("Warden's own");
  });

  it("does not ignore a call from Warden's role under another session name (someone else's function)", () => {
    expect(ignored(callBy('warden-s3-guard-role', 'attacker-function'))).toBeUndefined();
  });

  it('does not ignore a session named after a Warden function on another role', () => {
    expect(ignored(callBy('PlatformEngineer', 'warden-s3-guard'))).toBeUndefined();
  });

  it("does not ignore Warden's function session of another account", () => {
    expect(ignored(callBy('warden-s3-guard-role', 'warden-s3-guard', MEMBER_ACCOUNT))).toBeUndefined();
  });

  it("ignores, in organization mode, s3-guard's session on the member role of any member account", () => {
    const call = callBy('warden-remediation', sessionNameFor('3f1c2a9e-event'), MEMBER_ACCOUNT);

    expect(ignored(call, 'warden-remediation')).toMatch("Warden's own remediation");
  });

  it('does not ignore another session of the member role', () => {
    expect(ignored(callBy('warden-remediation', 'console-user', MEMBER_ACCOUNT), 'warden-remediation')).toBe(
      undefined,
    );
  });

  it('does not ignore the member role in account mode, where Warden assumes no member role', () => {
    expect(ignored(callBy('warden-remediation', 'warden-abc', MEMBER_ACCOUNT))).toBeUndefined();
  });
});

describe('isMemberRoleSession', () => {
  it('recognises the session names s3-guard gives the member role', () => {
    expect(sessionNameFor('any-event').startsWith(MEMBER_ROLE_SESSION_PREFIX)).toBe(true);
    expect(
      isMemberRoleSession(
        `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/warden-remediation/${sessionNameFor('')}`,
        'warden-remediation',
      ),
    ).toBe(true);
  });

  it('needs the role name and the session prefix both', () => {
    const arn = (role: string, session: string) =>
      `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${role}/${session}`;

    expect(isMemberRoleSession(arn('other-role', 'warden-1'), 'warden-remediation')).toBe(false);
    expect(isMemberRoleSession(arn('warden-remediation', 'wardenx'), 'warden-remediation')).toBe(false);
    expect(
      isMemberRoleSession(`arn:aws:iam::${MEMBER_ACCOUNT}:role/warden-remediation`, 'warden-remediation'),
    ).toBe(false);
  });
});
