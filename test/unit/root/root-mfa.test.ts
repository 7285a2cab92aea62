import { describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { RootContext } from '#shared/controls/root-control.ts';
import { rootLoginProfile } from '#shared/controls/root-login-profile.ts';
import { rootMfaRemoved } from '#shared/controls/root-mfa-removed.ts';
import { ROOT_GUARD_EVENT_NAMES } from '#shared/controls/root-registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { classifyRootActivity } from '#shared/model/root-activity.ts';
import {
  ROOT_LOGIN_PROFILE_EVENT_NAMES,
  ROOT_MFA_EVENT_NAMES,
  type RootLoginProfileSet,
  type RootMfaRemoved,
} from '#shared/model/root-credentials.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { createRootGuard } from '../../../functions/root-guard/root-guard.ts';
import { loadApiCall, makePolicy } from '../../fixtures.ts';

const MEMBER = '444455556666';
const MANAGEMENT = '111122223333';
const ACCOUNT_MODE: RootContext = { deployment: { mode: 'account' } };
const ORG_MODE: RootContext = { deployment: { mode: 'organization', managementAccountId: MANAGEMENT } };
const DEACTIVATED: RootMfaRemoved = {
  kind: 'root-mfa-removed',
  accountId: MEMBER,
  eventName: 'DeactivateMFADevice',
  serialNumber: `arn:aws:iam::${MEMBER}:mfa/root-account-mfa-device`,
  eventTime: '2026-11-20T11:20:41Z',
};
const PASSWORD: RootLoginProfileSet = {
  kind: 'root-login-profile',
  accountId: MEMBER,
  eventName: 'CreateLoginProfile',
  eventTime: '2026-11-20T11:31:09Z',
};
const stepsOf = (finding: ReturnType<typeof rootMfaRemoved.assess>) =>
  finding?.remedy.type === 'Manual' ? finding.remedy.steps.join('\n') : '';

describe('classifying root credential changes', () => {
  it('reads the root user deactivating its own MFA device', () => {
    expect(classifyRootActivity(loadApiCall('iam/root-deactivate-mfa-device.json'))).toEqual({
      activity: {
        kind: 'root-mfa-removed',
        accountId: '123456789012',
        eventName: 'DeactivateMFADevice',
        serialNumber: 'arn:aws:iam::123456789012:mfa/root-account-mfa-device',
        eventTime: '2026-11-20T11:20:41Z',
      },
    });
  });

  it('reads a virtual MFA device deleted by the root user', () => {
    expect(
      classifyRootActivity(loadApiCall('iam/root-delete-virtual-mfa-device.json')).activity,
    ).toMatchObject({
      kind: 'root-mfa-removed',
      eventName: 'DeleteVirtualMFADevice',
    });
  });

  it('reads a root password set in a member account (a privileged root session, no parameters)', () => {
    expect(classifyRootActivity(loadApiCall('iam/root-create-login-profile-member.json'))).toEqual({
      activity: {
        kind: 'root-login-profile',
        accountId: MEMBER,
        eventName: 'CreateLoginProfile',
        eventTime: '2026-11-20T11:31:09Z',
      },
    });
  });

  it('ignores an IAM user’s MFA device deactivated by an administrator', () => {
    expect(classifyRootActivity(loadApiCall('iam/iam-admin-deactivate-user-mfa-device.json'))).toEqual({
      ignored:
        'DeactivateMFADevice was called by arn:aws:iam::123456789012:user/ops-admin, not the root user',
    });
  });

  it('ignores the root user changing an IAM user’s MFA or password', () => {
    const call = loadApiCall('iam/root-deactivate-mfa-device.json');

    expect(
      classifyRootActivity({ ...call, requestParameters: { ...call.requestParameters, userName: 'alice' } }),
    ).toEqual({ ignored: 'the root user called DeactivateMFADevice for IAM user alice' });
  });

  it('ignores failed calls', () => {
    const call = loadApiCall('iam/root-deactivate-mfa-device.json', { errorCode: 'NoSuchEntity' });

    expect(classifyRootActivity(call).ignored).toMatch(/call failed/);
  });
});

describe('root-mfa-removed control', () => {
  it('is a CRITICAL finding with the steps only the root user can take, mapped to IAM.9 and IAM.6', () => {
    const finding = rootMfaRemoved.assess(DEACTIVATED, ACCOUNT_MODE);

    expect(finding).toMatchObject({
      controlId: 'root-mfa-removed',
      resource: `arn:aws:iam::${MEMBER}:root`,
      severity: 'CRITICAL',
      summary: expect.stringContaining(`MFA device arn:aws:iam::${MEMBER}:mfa/root-account-mfa-device`),
      remedy: { type: 'Manual', why: expect.stringContaining('only the root user can') },
    });
    expect(stepsOf(finding)).toMatch(
      /as the root user of account 444455556666[\s\S]*Assign MFA device[\s\S]*FIDO2/,
    );
    expect(rootMfaRemoved.compliance.join(' ')).toMatch(/IAM\.9[\s\S]*IAM\.6/);
  });

  it('says, for a member account of an Organization, that IAM.9 and IAM.6 do not apply once root credentials are removed', () => {
    const steps = stepsOf(rootMfaRemoved.assess(DEACTIVATED, ORG_MODE));

    expect(steps).toContain('Security Hub IAM.9 and IAM.6 do not apply to it');
    expect(steps).toContain(`aws sts assume-root --target-principal ${MEMBER}`);
  });

  it('says the management account always needs root MFA', () => {
    const steps = stepsOf(rootMfaRemoved.assess({ ...DEACTIVATED, accountId: MANAGEMENT }, ORG_MODE));

    expect(steps).toContain('IAM.9 and IAM.6 always apply here');
  });

  it('words a deleted virtual device apart', () => {
    const finding = rootMfaRemoved.assess(
      { ...DEACTIVATED, eventName: 'DeleteVirtualMFADevice' },
      ACCOUNT_MODE,
    );

    expect(finding?.summary).toMatch(/deleted virtual MFA device/);
  });

  it('judges only its own activity', () => {
    expect(rootMfaRemoved.assess(PASSWORD, ORG_MODE)).toBeUndefined();
  });
});

describe('root-login-profile control', () => {
  it('is a CRITICAL finding in a member account whose root credentials are managed centrally', () => {
    const finding = rootLoginProfile.assess(PASSWORD, ORG_MODE);

    expect(finding).toMatchObject({ controlId: 'root-login-profile', severity: 'CRITICAL' });
    expect(stepsOf(finding)).toMatch(/IAMCreateRootUserPassword[\s\S]*IAM\.9 and IAM\.6 do not apply/);
  });

  it('reports nothing for the management account or a standalone account, whose root always has a password', () => {
    expect(rootLoginProfile.assess({ ...PASSWORD, accountId: MANAGEMENT }, ORG_MODE)).toBeUndefined();
    expect(rootLoginProfile.assess(PASSWORD, ACCOUNT_MODE)).toBeUndefined();
  });

  it('words a changed password apart', () => {
    expect(
      rootLoginProfile.assess({ ...PASSWORD, eventName: 'UpdateLoginProfile' }, ORG_MODE)?.summary,
    ).toMatch(/given a new password/);
  });
});

describe('root-guard on root credential changes', () => {
  function setup(policy: Partial<PolicyInput>) {
    const alerts: Alert[] = [];
    const audits: AuditRecord[] = [];
    const guard = createRootGuard({
      config: { policy: makePolicy(policy) },
      assumeRootCredentials: vi.fn(),
      rootIam: vi.fn(),
      alerts: {
        publish: async (alert) => {
          alerts.push(alert);
          return 'msg-1';
        },
      },
      audit: { record: async (records) => void audits.push(...records) },
      log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { count: vi.fn() },
      clock: { now: () => new Date('2026-11-20T11:21:00Z') },
      once: (_step, fn) => fn,
    });
    return { guard, alerts, audits };
  }

  it('sends one CRITICAL alert for a removed root MFA device and audits it', async () => {
    const { guard, alerts, audits } = setup({});

    const result = await guard(loadApiCall('iam/root-deactivate-mfa-device.json'));

    expect(result.outcomes).toMatchObject([{ controlId: 'root-mfa-removed', status: 'DETECTED' }]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      severity: 'CRITICAL',
      title: "Root user's MFA device deactivated in account 123456789012",
      resourceType: 'AWS::IAM::RootUser',
    });
    expect(alerts[0]?.outcomes[0]?.actions.join('\n')).toContain('Assign MFA device');
    expect(audits).toHaveLength(1);
  });

  it('alerts on a root password set in a member account, naming it', async () => {
    const { guard, alerts } = setup({
      deployment: { mode: 'organization', managementAccountId: MANAGEMENT },
    });

    await guard(loadApiCall('iam/root-create-login-profile-member.json'));

    expect(alerts[0]).toMatchObject({
      severity: 'CRITICAL',
      title: `Root password set in member account ${MEMBER}`,
    });
  });

  it('stays quiet about the same call in a standalone account', async () => {
    const { guard, alerts } = setup({});

    const result = await guard(loadApiCall('iam/root-create-login-profile-member.json'));

    expect(result.status).toBe('PROCESSED');
    expect(alerts).toEqual([]);
  });

  it('ignores the events when the policy switches the control off', async () => {
    const { guard } = setup({ controls: { 'root-mfa-removed': { mode: 'off' } } });

    expect((await guard(loadApiCall('iam/root-deactivate-mfa-device.json'))).status).toBe('IGNORED');
  });
});

describe('root-guard event pattern for root credential changes', () => {
  it('matches the root user’s own MFA and password calls, successful ones only', () => {
    const { source, detail } = ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged;

    expect(source).toEqual(['aws.iam']);
    expect(detail.eventName).toEqual([...ROOT_MFA_EVENT_NAMES, ...ROOT_LOGIN_PROFILE_EVENT_NAMES]);
    expect(detail.userIdentity).toEqual({ type: ['Root'] });
    // A call naming userName is about an IAM user; a failed call changed nothing.
    expect(detail.requestParameters).toEqual({ userName: [{ exists: false }] });
    expect(detail.errorCode).toEqual([{ exists: false }]);
  });

  it('together, the patterns carry every event name root-guard handles, and no other', () => {
    const patterned = Object.values(ROOT_GUARD_EVENT_PATTERNS).flatMap((pattern) => pattern.detail.eventName);

    expect([...patterned].sort()).toEqual([...ROOT_GUARD_EVENT_NAMES].sort());
  });
});
