import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IMPORT_ATTEMPTS, securityHubImporter } from '#shared/securityhub/importer.ts';
import 'aws-sdk-client-mock-vitest/extend';

const securityHub = mockClient(SecurityHubClient);
const findings = (count: number): AwsSecurityFinding[] =>
  Array.from({ length: count }, (_, index) => ({ Id: `finding-${index}` }) as AwsSecurityFinding);
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });

describe('securityHubImporter', () => {
  const slept: number[] = [];
  const importer = () =>
    securityHubImporter(securityHub as unknown as SecurityHubClient, {
      sleep: async (milliseconds) => void slept.push(milliseconds),
      random: () => 0.5,
    });

  beforeEach(() => {
    securityHub.reset();
    slept.length = 0;
  });

  it('sends at most 100 findings a call, in order', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .resolves({ FailedCount: 0, SuccessCount: 100, FailedFindings: [] });

    const result = await importer()(findings(250));

    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
    const sizes = securityHub
      .commandCalls(BatchImportFindingsCommand)
      .map((call) => call.args[0].input.Findings?.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(result.imported).toHaveLength(250);
    expect(result.failed).toEqual([]);
  });

  it('retries a throttled batch with growing, jittered waits, then imports it', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ FailedCount: 0, SuccessCount: 2, FailedFindings: [] });

    const result = await importer()(findings(2));

    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
    expect(slept).toEqual([200, 400]);
    expect(result.imported).toEqual(['finding-0', 'finding-1']);
  });

  it('reports a batch still throttled after its attempts as failed, and goes on with the next batch', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });

    const result = await importer()(findings(101));

    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, IMPORT_ATTEMPTS + 1);
    expect(result.failed).toHaveLength(100);
    expect(result.failed[0]).toEqual({
      id: 'finding-0',
      code: 'TooManyRequestsException',
      message: 'Rate exceeded',
    });
    expect(result.imported).toEqual(['finding-100']);
  });

  it('does not retry other errors: the batch fails at once', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }));

    const result = await importer()(findings(3));

    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(result.failed.map((failure) => failure.code)).toEqual(Array(3).fill('InvalidAccessException'));
    expect(result.imported).toEqual([]);
  });

  it('separates the findings Security Hub refused (FailedFindings) from those it took', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 2,
      FailedFindings: [{ Id: 'finding-1', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }],
    });

    const result = await importer()(findings(3));

    expect(result.imported).toEqual(['finding-0', 'finding-2']);
    expect(result.failed).toEqual([{ id: 'finding-1', code: 'InvalidInput', message: 'bad' }]);
  });

  it('makes no call for no findings', async () => {
    const result = await importer()([]);

    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 0);
    expect(result).toEqual({ imported: [], failed: [] });
  });
});
