import { describe, expect, it } from 'vitest';
import { rootAccessKey } from '#shared/controls/root-access-key.ts';
import { rootConsoleSignIn } from '#shared/controls/root-console-sign-in.ts';
import type { RootContext } from '#shared/controls/root-control.ts';
import { ROOT_CONTROLS, ROOT_GUARD_EVENT_NAMES } from '#shared/controls/root-registry.ts';
import type { RootAccessKeyCreated } from '#shared/model/root-activity.ts';

const MEMBER = '123456789012';
const MANAGEMENT = '111122223333';
const KEY_CREATED: RootAccessKeyCreated = {
  kind: 'root-access-key-created',
  accountId: MEMBER,
  accessKeyId: 'AKIAQ3EXAMPLEROOTKEY',
  createDate: 'Nov 20, 2026 11:02:13 AM',
};
const ACCOUNT_MODE: RootContext = { deployment: { mode: 'account' } };
const ORG_MODE: RootContext = { deployment: { mode: 'organization', managementAccountId: MANAGEMENT } };

describe('root-access-key control', () => {
  it('plans deletion through AssumeRoot for a member account in organization mode', () => {
    const finding = rootAccessKey.assess(KEY_CREATED, ORG_MODE);

    expect(finding).toMatchObject({
      controlId: 'root-access-key',
      resource: `arn:aws:iam::${MEMBER}:root`,
      severity: 'CRITICAL',
      remedy: { type: 'DeleteRootAccessKey', accountId: MEMBER, accessKeyId: 'AKIAQ3EXAMPLEROOTKEY' },
    });
    expect(finding?.summary).toContain('created Nov 20, 2026 11:02:13 AM');
  });

  it('leaves the key to the root user in account mode, with the console steps', () => {
    const remedy = rootAccessKey.assess(KEY_CREATED, ACCOUNT_MODE)?.remedy;

    expect(remedy).toMatchObject({ type: 'Manual', why: expect.stringContaining('only the root user can') });
    expect(remedy?.type === 'Manual' && remedy.steps.join('\n')).toMatch(
      /root user of account 123456789012[\s\S]*Security credentials[\s\S]*Deactivate, then Actions → Delete[\s\S]*MFA[\s\S]*warden scp root-keys/,
    );
  });

  it('leaves the management account’s own root key to its root user', () => {
    const remedy = rootAccessKey.assess({ ...KEY_CREATED, accountId: MANAGEMENT }, ORG_MODE)?.remedy;

    expect(remedy).toMatchObject({ type: 'Manual', why: expect.stringContaining('management account') });
    expect(remedy?.type === 'Manual' && remedy.steps.at(-1)).toContain(
      'SCPs never apply to the management account',
    );
  });

  it('deletes nothing when the policy does not name the management account', () => {
    const remedy = rootAccessKey.assess(KEY_CREATED, { deployment: { mode: 'organization' } })?.remedy;

    expect(remedy).toMatchObject({ type: 'Manual', why: expect.stringContaining('managementAccountId') });
  });

  it('deletes nothing when the event has no key id', () => {
    const { accessKeyId: _, ...withoutKey } = KEY_CREATED;

    const remedy = rootAccessKey.assess(withoutKey, ORG_MODE)?.remedy;

    expect(remedy).toMatchObject({ type: 'Manual', why: expect.stringContaining('no access key id') });
  });

  it('does not apply to sign-ins', () => {
    expect(
      rootAccessKey.assess({ kind: 'root-console-sign-in', accountId: MEMBER, mfaUsed: true }, ORG_MODE),
    ).toBeUndefined();
  });
});

describe('root-console-sign-in control', () => {
  it('is HIGH without MFA and adds the root MFA controls', () => {
    const finding = rootConsoleSignIn.assess(
      { kind: 'root-console-sign-in', accountId: MEMBER, mfaUsed: false },
      ORG_MODE,
    );

    expect(finding).toMatchObject({ severity: 'HIGH', remedy: { type: 'Manual' } });
    expect(finding?.extraCompliance).toContain('Security Hub IAM.9 (root user MFA)');
  });

  it('is MEDIUM with MFA', () => {
    const finding = rootConsoleSignIn.assess(
      { kind: 'root-console-sign-in', accountId: MEMBER, mfaUsed: true },
      ACCOUNT_MODE,
    );

    expect(finding).toMatchObject({ severity: 'MEDIUM', extraCompliance: [] });
  });

  it('does not apply to key creations', () => {
    expect(rootConsoleSignIn.assess(KEY_CREATED, ORG_MODE)).toBeUndefined();
  });
});

describe('root registry', () => {
  it('lists both controls and exactly their CloudTrail event names', () => {
    expect(ROOT_CONTROLS.map((control) => control.id)).toEqual([
      'root-access-key',
      'root-console-sign-in',
      'root-mfa-removed',
      'root-login-profile',
    ]);
    expect(ROOT_GUARD_EVENT_NAMES).toEqual([
      'CreateAccessKey',
      'ConsoleLogin',
      'DeactivateMFADevice',
      'DeleteVirtualMFADevice',
      'CreateLoginProfile',
      'UpdateLoginProfile',
    ]);
  });
});
