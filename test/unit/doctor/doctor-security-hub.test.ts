import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkSecurityHub } from '../../../cli/doctor/security-hub.ts';
import { resolveTarget } from '../../../cli/doctor.ts';
import { ACCOUNT_ID, makePolicy } from '../../fixtures.ts';

const sts = mockClient(STSClient);
const securityHub = mockClient(SecurityHubClient);

beforeEach(() => {
  sts.reset();
  securityHub.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:user/auditor` });
});
afterEach(() => vi.unstubAllEnvs());

const options = (enabled: boolean) => ({
  policy: makePolicy({
    deployment: { homeRegion: 'eu-west-1', accountLevelRegions: [] },
    securityHub: { enabled },
  }),
  prefix: 'warden',
  target: { kind: 'aws' as const },
});

describe('warden doctor and Security Hub', () => {
  it('checks Security Hub in the home region when the policy turns it on', async () => {
    const { input } = await resolveTarget(options(true));

    expect(input.securityHubRegion).toBe('eu-west-1');
  });

  it('does not check Security Hub when the policy leaves it off', async () => {
    const { input } = await resolveTarget(options(false));

    expect(input.securityHubRegion).toBeUndefined();
  });

  it('fails on another error than "not enabled", saying what it was', async () => {
    securityHub
      .on(DescribeHubCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const result = await checkSecurityHub(
      { securityHub: new SecurityHubClient({}) },
      { region: 'eu-west-1' },
    );

    expect(result).toEqual({
      check: 'Security Hub',
      status: 'FAIL',
      detail: 'could not be described in eu-west-1 (AccessDeniedException: denied)',
    });
  });
});
