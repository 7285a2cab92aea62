import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  accountOfArn,
  crossAccountClients,
  sessionNameFor,
  stsAssumeRole,
  type TemporaryCredentials,
} from '#shared/aws/cross-account.ts';
import { AccessDeniedError } from '#shared/errors/errors.ts';

const HUB = '111111111111';
const MEMBER = '222222222222';
const EVENT = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const sts = mockClient(STSClient);

function setup(options: { memberRoleName?: string; expiresInMs?: number } = {}) {
  let now = new Date('2026-01-01T00:00:00Z');
  const assumeRole = vi.fn(
    async (): Promise<TemporaryCredentials> => ({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(now.getTime() + (options.expiresInMs ?? 3_600_000)),
    }),
  );
  const buildClients = vi.fn(
    (target: { accountId: string; region: string }, credentials?: () => Promise<unknown>) => ({
      ...target,
      credentials,
    }),
  );
  const clientsFor = crossAccountClients({
    ownAccountId: HUB,
    partition: 'aws',
    memberRoleName: 'memberRoleName' in options ? options.memberRoleName : 'warden-remediation',
    assumeRole,
    buildClients,
    clock: { now: () => now },
  });
  return {
    clientsFor,
    assumeRole,
    buildClients,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

beforeEach(() => {
  sts.reset();
});

describe('crossAccountClients', () => {
  it('uses the function credentials for its own account, without STS', async () => {
    const { clientsFor, assumeRole } = setup();

    const clients = await clientsFor({ accountId: HUB, region: 'eu-west-1', eventId: EVENT });

    expect(clients).toEqual({ accountId: HUB, region: 'eu-west-1', credentials: undefined });
    expect(assumeRole).not.toHaveBeenCalled();
  });

  it('uses the function credentials for every account in account mode', async () => {
    const { clientsFor, assumeRole } = setup({ memberRoleName: undefined });

    await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });

    expect(assumeRole).not.toHaveBeenCalled();
  });

  it('assumes the member role of the event account with a session named after the event', async () => {
    const { clientsFor, assumeRole } = setup();

    const clients = (await clientsFor({ accountId: MEMBER, region: 'eu-central-1', eventId: EVENT })) as {
      accountId: string;
      region: string;
      credentials: () => Promise<TemporaryCredentials>;
    };

    expect(assumeRole).toHaveBeenCalledWith({
      roleArn: `arn:aws:iam::${MEMBER}:role/warden-remediation`,
      sessionName: `warden-${EVENT}`,
    });
    expect(clients).toMatchObject({ accountId: MEMBER, region: 'eu-central-1' });
    expect((await clients.credentials()).accessKeyId).toBe('AKIA');
  });

  it('caches credentials per account and clients per account and region', async () => {
    const { clientsFor, assumeRole, buildClients } = setup();

    const first = await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });
    const again = await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: 'other' });
    await clientsFor({ accountId: MEMBER, region: 'us-east-1', eventId: 'other' });

    expect(again).toBe(first);
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(buildClients).toHaveBeenCalledTimes(2);
  });

  it('shares one AssumeRole between concurrent events of one account', async () => {
    const { clientsFor, assumeRole } = setup();

    await Promise.all(
      [1, 2, 3].map((n) => clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: `${n}` })),
    );

    expect(assumeRole).toHaveBeenCalledTimes(1);
  });

  it('renews credentials shortly before they expire', async () => {
    const { clientsFor, assumeRole, advance } = setup({ expiresInMs: 3_600_000 });
    await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });

    advance(54 * 60_000);
    await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });
    expect(assumeRole).toHaveBeenCalledTimes(1);

    advance(2 * 60_000);
    await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });
    expect(assumeRole).toHaveBeenCalledTimes(2);
  });

  it('reports a refused AssumeRole as a terminal AccessDenied, and tries again on the next event', async () => {
    const { clientsFor, assumeRole } = setup();
    assumeRole.mockRejectedValueOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));

    await expect(
      clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT }),
    ).rejects.toBeInstanceOf(AccessDeniedError);
    await clientsFor({ accountId: MEMBER, region: 'eu-west-1', eventId: EVENT });

    expect(assumeRole).toHaveBeenCalledTimes(2);
  });
});

describe('stsAssumeRole', () => {
  it('calls STS AssumeRole and returns the credentials with their expiry', async () => {
    const expiration = new Date('2026-01-01T01:00:00Z');
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: expiration },
    });

    const credentials = await stsAssumeRole(new STSClient({}))({
      roleArn: 'arn:aws:iam::1:role/r',
      sessionName: 'warden-x',
    });

    expect(credentials).toEqual({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::1:role/r',
      RoleSessionName: 'warden-x',
      DurationSeconds: 3600,
    });
  });
});

describe('helpers', () => {
  it('keeps session names within what STS accepts', () => {
    expect(sessionNameFor('a b/c:d'.repeat(20))).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('reads account and partition from a role ARN', () => {
    expect(accountOfArn('arn:aws-us-gov:iam::123456789012:role/warden-s3-guard-role')).toEqual({
      partition: 'aws-us-gov',
      accountId: '123456789012',
    });
  });
});
