import {
  DeleteAccessKeyCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { toChatNotification } from '#shared/alerts/chat-notification.ts';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import { RetryableAwsError } from '#shared/errors/errors.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { stsAssumeRoot } from '../../../functions/root-guard/assume-root.ts';
import { rootIamClientFactory } from '../../../functions/root-guard/root-access-keys.ts';
import { createRootGuard } from '../../../functions/root-guard/root-guard.ts';
import { ACCOUNT_ID, loadApiCall, makePolicy } from '../../fixtures.ts';

const stsMock = mockClient(STSClient);
const iamMock = mockClient(IAMClient);

const MANAGEMENT = '111122223333';
const KEY = 'AKIAQ3EXAMPLEROOTKEY';
const OTHER_KEY = 'AKIAQ3EXAMPLEOLDROOT';
const ORGANIZATION: Partial<PolicyInput> = {
  deployment: { mode: 'organization', managementAccountId: MANAGEMENT },
};
const SESSION = {
  AccessKeyId: 'ASIAQ3EXAMPLEROOTSES',
  SecretAccessKey: 'session-secret',
  SessionToken: 'session-token',
  Expiration: new Date('2026-11-20T11:17:20Z'),
};

const awsError = (
  Exception: typeof STSServiceException | typeof IAMServiceException,
  name: string,
  status: number,
) =>
  new Exception({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} message`,
  });

/** Stores successful results per step and event id, as Powertools Idempotency does. */
function memoOnce(): OnceWrapper {
  const done = new Map<string, unknown>();
  return (step, fn) => async (input) => {
    const key = `${step}#${input.eventId}`;
    if (done.has(key)) return done.get(key) as Awaited<ReturnType<typeof fn>>;
    const result = await fn(input);
    done.set(key, result);
    return result;
  };
}

function setup(policy: Partial<PolicyInput> = ORGANIZATION, once: OnceWrapper = (_step, fn) => fn) {
  const alerts: Alert[] = [];
  const audits: AuditRecord[] = [];
  const rootIam = vi.fn(rootIamClientFactory('us-east-1'));
  const guard = createRootGuard({
    config: { policy: makePolicy(policy) },
    assumeRootCredentials: stsAssumeRoot(new STSClient({ region: 'us-east-1' })),
    rootIam,
    alerts: {
      publish: async (alert) => {
        alerts.push(alert);
        return `msg-${alerts.length}`;
      },
    },
    audit: { record: async (records) => void audits.push(...records) },
    log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { count: vi.fn() },
    clock: { now: () => new Date('2026-11-20T11:02:20Z') },
    once,
  });
  return { guard, alerts, audits, rootIam };
}

const listed = (...ids: string[]) => ({
  AccessKeyMetadata: ids.map((id) => ({ AccessKeyId: id, Status: 'Active' as const })),
});

describe('root-guard: root access key created', () => {
  beforeEach(() => {
    stsMock.reset();
    iamMock.reset();
    stsMock.on(AssumeRootCommand).resolves({ Credentials: SESSION });
  });

  it('deletes the key of a member account through AssumeRoot and verifies it is gone', async () => {
    iamMock.on(ListAccessKeysCommand).resolvesOnce(listed(KEY)).resolves(listed());
    const { guard, rootIam } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([
      {
        controlId: 'root-access-key',
        status: 'REMEDIATED',
        severity: 'CRITICAL',
        resource: `arn:aws:iam::${ACCOUNT_ID}:root`,
        before: { rootAccessKeys: [{ accessKeyId: KEY, status: 'Active' }] },
        after: { rootAccessKeys: [] },
      },
    ]);
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(AssumeRootCommand, {
      TargetPrincipal: ACCOUNT_ID,
      TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
      DurationSeconds: 900,
    });
    expect(rootIam).toHaveBeenCalledWith({
      accessKeyId: SESSION.AccessKeyId,
      secretAccessKey: SESSION.SecretAccessKey,
      sessionToken: SESSION.SessionToken,
      expiration: SESSION.Expiration,
    });
    expect(iamMock).toHaveReceivedCommandTimes(ListAccessKeysCommand, 2);
    expect(iamMock).toHaveReceivedCommandWith(ListAccessKeysCommand, {});
    expect(iamMock.commandCalls(DeleteAccessKeyCommand).map((call) => call.args[0].input)).toEqual([
      { AccessKeyId: KEY },
    ]);
  });

  it('sends one critical alert naming account, key, source IP, user agent, time and controls', async () => {
    iamMock.on(ListAccessKeysCommand).resolvesOnce(listed(KEY)).resolves(listed());
    const { guard, alerts } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.alertMessageId).toBe('msg-1');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as Alert;
    expect(alert).toMatchObject({
      severity: 'CRITICAL',
      title: `Warden deleted root access key ${KEY} in account ${ACCOUNT_ID}`,
      accountId: ACCOUNT_ID,
      resourceType: 'AWS::IAM::RootUser',
      resource: `arn:aws:iam::${ACCOUNT_ID}:root`,
      sourceIp: '198.51.100.23',
      userAgent: expect.stringContaining('Mozilla/5.0'),
      eventTime: '2026-11-20T11:02:13Z',
    });
    expect(alert.outcomes[0]?.compliance).toEqual(
      expect.arrayContaining(['Security Hub IAM.4', expect.stringContaining('CIS AWS Foundations 1.4')]),
    );
    const description = toChatNotification(alert).content.description;
    expect(description).toContain(KEY);
    expect(description).toContain('198.51.100.23');
  });

  it('reports other root keys it finds, deleting only the key of the event', async () => {
    iamMock.on(ListAccessKeysCommand).resolvesOnce(listed(OTHER_KEY, KEY)).resolves(listed(OTHER_KEY));
    const { guard } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED' });
    expect(result.outcomes[0]?.reason).toContain(`other access keys: ${OTHER_KEY}`);
    expect(iamMock).toHaveReceivedCommandExactlyOnceWith(DeleteAccessKeyCommand, { AccessKeyId: KEY });
  });

  it('fails with what to enable when AssumeRoot is denied', async () => {
    stsMock.on(AssumeRootCommand).rejects(awsError(STSServiceException, 'AccessDenied', 403));
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.status).toBe('PROCESSED');
    expect(result.outcomes).toMatchObject([{ status: 'FAILED' }]);
    expect(result.outcomes[0]?.reason).toMatch(
      /AccessDenied[\s\S]*iam\.amazonaws\.com[\s\S]*enable-organizations-root-credentials-management[\s\S]*enable-organizations-root-sessions/,
    );
    expect(iamMock).not.toHaveReceivedAnyCommand();
    expect(alerts[0]).toMatchObject({
      severity: 'CRITICAL',
      title: `Warden could not delete root access key ${KEY} in account ${ACCOUNT_ID}`,
    });
    expect(audits).toMatchObject([{ outcome: { status: 'FAILED' } }]);
  });

  it('fails terminally, naming SCPs, when the root session is denied DeleteAccessKey', async () => {
    iamMock.on(ListAccessKeysCommand).resolves(listed(KEY));
    iamMock.on(DeleteAccessKeyCommand).rejects(awsError(IAMServiceException, 'AccessDenied', 403));
    const { guard } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'FAILED' }]);
    expect(result.outcomes[0]?.reason).toContain('SCP or RCP');
  });

  it('fails when the read-back still lists the key', async () => {
    iamMock.on(ListAccessKeysCommand).resolves(listed(KEY));
    const { guard } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'FAILED' }]);
    expect(result.outcomes[0]?.reason).toContain('read-back still lists');
  });

  it('rethrows throttling so Lambda retries the event', async () => {
    stsMock.on(AssumeRootCommand).rejects(awsError(STSServiceException, 'Throttling', 400));
    const { guard, alerts, audits } = setup();

    await expect(guard(loadApiCall('iam/root-create-access-key.json'))).rejects.toThrow(RetryableAwsError);
    expect(alerts).toHaveLength(0);
    expect(audits).toHaveLength(0);
  });

  it('says so, deleting nothing, when the key is already gone', async () => {
    iamMock.on(ListAccessKeysCommand).resolves(listed());
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
    expect(result.outcomes[0]?.reason).toContain('already deleted when Warden looked');
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    expect(alerts[0]?.title).toBe(`Root access key ${KEY} created in account ${ACCOUNT_ID}, already deleted`);
    expect(audits).toHaveLength(1);
  });

  it('treats a key deleted between the list and the delete as deleted', async () => {
    iamMock.on(ListAccessKeysCommand).resolvesOnce(listed(KEY)).resolves(listed());
    iamMock.on(DeleteAccessKeyCommand).rejects(awsError(IAMServiceException, 'NoSuchEntity', 404));
    const { guard } = setup();

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
  });

  it('only alerts for the management account’s own root', async () => {
    const { guard, alerts } = setup({
      deployment: { mode: 'organization', managementAccountId: ACCOUNT_ID },
    });

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'DETECTED', severity: 'CRITICAL' }]);
    expect(result.outcomes[0]?.reason).toContain("organization's management account");
    expect(stsMock).not.toHaveReceivedAnyCommand();
    expect(iamMock).not.toHaveReceivedAnyCommand();
    expect(alerts).toHaveLength(1);
  });

  it('in account mode, alerts that only the root user can delete the key, with the steps', async () => {
    const { guard, alerts } = setup({ deployment: { mode: 'account' } });

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([{ status: 'DETECTED', severity: 'CRITICAL' }]);
    expect(result.outcomes[0]?.reason).toContain('only the root user can');
    expect(result.outcomes[0]?.actions.join('\n')).toMatch(/Security credentials[\s\S]*Deactivate/);
    expect(stsMock).not.toHaveReceivedAnyCommand();
    expect(alerts[0]).toMatchObject({
      severity: 'CRITICAL',
      title: `Root access key ${KEY} created in account ${ACCOUNT_ID}`,
    });
  });

  it('in detect mode, says what it would delete and deletes nothing', async () => {
    const { guard } = setup({ ...ORGANIZATION, controls: { 'root-access-key': { mode: 'detect' } } });

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.outcomes).toMatchObject([
      {
        status: 'DETECTED',
        reason: expect.stringContaining('(detect mode: Warden deleted nothing)'),
        actions: [`Would delete root access key ${KEY} of account ${ACCOUNT_ID} (DeleteAccessKey)`],
      },
    ]);
    expect(stsMock).not.toHaveReceivedAnyCommand();
  });

  it('ignores the event when the control is off', async () => {
    const { guard, alerts } = setup({ ...ORGANIZATION, controls: { 'root-access-key': { mode: 'off' } } });

    const result = await guard(loadApiCall('iam/root-create-access-key.json'));

    expect(result.status).toBe('IGNORED');
    expect(alerts).toHaveLength(0);
  });

  it('deletes and alerts once when the same event is delivered twice', async () => {
    iamMock.on(ListAccessKeysCommand).resolvesOnce(listed(KEY)).resolves(listed());
    const { guard, alerts } = setup(ORGANIZATION, memoOnce());
    const call = loadApiCall('iam/root-create-access-key.json');

    const first = await guard(call);
    const second = await guard(call);

    expect(second.outcomes).toEqual(first.outcomes);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRootCommand, 1);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 1);
    expect(alerts).toHaveLength(1);
  });
});

describe('root-guard: root console sign-in', () => {
  beforeEach(() => {
    stsMock.reset();
    iamMock.reset();
  });

  it('alerts HIGH for a root sign-in without MFA', async () => {
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall('signin/root-console-login-no-mfa.json'));

    expect(result.outcomes).toMatchObject([
      { controlId: 'root-console-sign-in', status: 'DETECTED', severity: 'HIGH' },
    ]);
    expect(alerts[0]).toMatchObject({
      severity: 'HIGH',
      title: `Root user signed in to account ${ACCOUNT_ID} WITHOUT MFA`,
      sourceIp: '198.51.100.23',
    });
    expect(audits).toHaveLength(1);
    expect(stsMock).not.toHaveReceivedAnyCommand();
  });

  it('alerts MEDIUM for a root sign-in with MFA', async () => {
    const { guard, alerts } = setup();

    await guard(loadApiCall('signin/root-console-login-mfa.json'));

    expect(alerts[0]).toMatchObject({ severity: 'MEDIUM', title: expect.stringContaining('with MFA') });
  });

  it.each([
    'signin/root-console-login-failed.json',
    'signin/iam-user-console-login.json',
    'iam/iam-user-create-own-access-key.json',
    'iam/iam-admin-create-access-key-for-user.json',
    'iam/assumed-role-create-access-key.json',
    'iam/root-create-access-key-for-iam-user.json',
    'iam/root-create-access-key-failed-call.json',
  ])('ignores %s quietly: no AWS call, no alert, no audit', async (file) => {
    const { guard, alerts, audits } = setup();

    const result = await guard(loadApiCall(file));

    expect(result.status).toBe('IGNORED');
    expect(alerts).toHaveLength(0);
    expect(audits).toHaveLength(0);
    expect(stsMock).not.toHaveReceivedAnyCommand();
  });
});
