import { AssumeRootCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { AccessDeniedError, RetryableAwsError, TerminalAwsError } from '#shared/errors/errors.ts';
import {
  DELETE_ROOT_CREDENTIALS_TASK_POLICY_ARN,
  regionalStsEndpoint,
  rootStsClient,
  stsAssumeRoot,
} from '../../../functions/root-guard/assume-root.ts';

const stsMock = mockClient(STSClient);
const SESSION = {
  AccessKeyId: 'ASIAQ3EXAMPLEROOTSES',
  SecretAccessKey: 'session-secret',
  SessionToken: 'session-token',
  Expiration: new Date('2026-11-20T11:17:30Z'),
};

const stsError = (name: string, status: number) =>
  new STSServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from STS`,
  });

async function endpointUrl(client: STSClient): Promise<string> {
  const endpoint = await (client.config.endpoint as () => Promise<{ protocol: string; hostname: string }>)();
  return `${endpoint.protocol}//${endpoint.hostname}`;
}

describe('stsAssumeRoot', () => {
  beforeEach(() => {
    stsMock.reset();
  });

  it('asks for a root session in the member account scoped to deleting root credentials, for at most 900 s', async () => {
    stsMock.on(AssumeRootCommand).resolves({ Credentials: SESSION });

    const credentials = await stsAssumeRoot(new STSClient({ region: 'us-east-1' }))('123456789012');

    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(AssumeRootCommand, {
      TargetPrincipal: '123456789012',
      TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
      DurationSeconds: 900,
    });
    expect(DELETE_ROOT_CREDENTIALS_TASK_POLICY_ARN).toBe(
      'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials',
    );
    expect(credentials).toEqual({
      accessKeyId: SESSION.AccessKeyId,
      secretAccessKey: SESSION.SecretAccessKey,
      sessionToken: SESSION.SessionToken,
      expiration: SESSION.Expiration,
    });
  });

  it('classifies AccessDenied as terminal', async () => {
    stsMock.on(AssumeRootCommand).rejects(stsError('AccessDenied', 403));

    await expect(stsAssumeRoot(new STSClient({ region: 'us-east-1' }))('123456789012')).rejects.toThrow(
      AccessDeniedError,
    );
  });

  it('classifies throttling as retryable', async () => {
    stsMock.on(AssumeRootCommand).rejects(stsError('Throttling', 400));

    await expect(stsAssumeRoot(new STSClient({ region: 'us-east-1' }))('123456789012')).rejects.toThrow(
      RetryableAwsError,
    );
  });

  it('fails terminally when STS returns no credentials', async () => {
    stsMock.on(AssumeRootCommand).resolves({});

    await expect(stsAssumeRoot(new STSClient({ region: 'us-east-1' }))('123456789012')).rejects.toThrow(
      TerminalAwsError,
    );
  });
});

describe('rootStsClient', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('uses the regional STS endpoint, not the global one', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);

    const client = rootStsClient({ region: 'us-east-1' });

    expect(await endpointUrl(client)).toBe('https://sts.us-east-1.amazonaws.com');
    expect(regionalStsEndpoint('eu-west-1')).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(regionalStsEndpoint('cn-north-1')).toBe('https://sts.cn-north-1.amazonaws.com.cn');
  });

  it('uses the local emulator endpoint in local mode', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://localhost:4566');

    const client = rootStsClient({ region: 'us-east-1' });

    expect(await endpointUrl(client)).toBe('http://localhost');
  });
});
