import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type AwsSecurityFinding,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { clientConfig } from '#shared/aws/clients.ts';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import { dynamoFindingLedger } from '#shared/securityhub/finding-ledger.ts';
import { type FindingsReport, securityHubFindingsReporter } from '#shared/securityhub/findings-reporter.ts';
import { securityHubImporter } from '#shared/securityhub/importer.ts';
import { checkSecurityHub } from '../../cli/doctor/security-hub.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import { makePolicy } from '../fixtures.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * The real SDK path against moto 5.2.1, which implements EnableSecurityHub, DescribeHub, BatchImportFindings
 * (an existing Id is updated in place; a finding without Resources is listed in FailedFindings) and GetFindings
 * (without Filters: tests pick their findings by Id). moto neither throttles nor checks the caller's account,
 * so throttling and the 100-per-call batches are tested with aws-sdk-client-mock (test/unit/securityhub).
 */
const config = () =>
  clientConfig({
    endpoint: localConfig().endpoint,
    region: localConfig().region,
    credentials: localCredentials(),
  });
const securityHub = () => new SecurityHubClient(config());
const documents = () => DynamoDBDocumentClient.from(new DynamoDBClient(config()));

async function findingsById(ids: readonly string[]): Promise<AwsSecurityFinding[]> {
  const { Findings = [] } = await securityHub().send(new GetFindingsCommand({ MaxResults: 100 }));
  return Findings.filter((finding) => ids.includes(finding.Id ?? ''));
}

/** The guards' reporter over the real SDK clients and the provisioned audit table. */
const reporterFor = (accountId: string, region: string) =>
  securityHubFindingsReporter({
    home: { partition: 'aws', region, accountId },
    importFindings: securityHubImporter(securityHub()),
    ledger: dynamoFindingLedger(documents(), localConfig().auditTable),
    clock: { now: () => new Date() },
  });

function outcome(bucket: string, status: OutcomeStatus): ControlOutcome {
  return {
    controlId: 's3-encryption-kms',
    title: 'S3 default encryption uses SSE-KMS with an approved customer-managed key',
    severity: 'HIGH',
    compliance: ['Security Hub S3.17', 'CIS AWS Foundations 2.1.1 (encryption at rest)'],
    resource: bucket,
    status,
    reason: `Bucket ${bucket} default encryption is SSE-S3 (AES256).`,
    actions: status === 'REMEDIATED' ? ['Set default encryption to SSE-KMS'] : [],
  };
}

describe('Security Hub against moto', () => {
  const silent = { log: { info: () => {}, warn: () => {}, error: () => {} }, metrics: { count: () => {} } };

  it('warden doctor fails while Security Hub is off, and passes once it is enabled', async () => {
    const region = localConfig().region;
    const before = await checkSecurityHub({ securityHub: securityHub() }, { region });
    await securityHub().send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    const after = await checkSecurityHub({ securityHub: securityHub() }, { region });

    expect(before.status).toBe('FAIL');
    expect(before.detail).toContain('not enabled');
    expect(after.status).toBe('OK');
  });

  it('imports a violation, then updates the same finding to PASSED when the bucket is compliant again', async () => {
    const bucket = uniqueBucketName('shub');
    const { accountId, region } = localConfig();
    const reporter = reporterFor(accountId, region);
    const report = (status: OutcomeStatus, eventId: string): FindingsReport => {
      const outcomes = [outcome(bucket, status)];
      return {
        call: { eventId, eventName: 'PutBucketEncryption', eventTime: new Date().toISOString(), region },
        subject: { resourceType: 'AWS::S3::Bucket', accountId },
        outcomes,
        violations: status === 'ALREADY_COMPLIANT' ? [] : outcomes,
      };
    };
    const id = `warden/${accountId}/${region}/s3-encryption-kms/${bucket}`;

    await reporter.report(report('DETECTED', 'event-1'), silent);
    const opened = await findingsById([id]);
    await reporter.report(report('ALREADY_COMPLIANT', 'sweep-1'), silent);
    const resolved = await findingsById([id]);

    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      Compliance: { Status: 'FAILED', SecurityControlId: 'S3.17' },
      RecordState: 'ACTIVE',
    });
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({
      Compliance: { Status: 'PASSED' },
      RecordState: 'ARCHIVED',
      ProductFields: expect.objectContaining({ 'warden/ActionId': 'sweep-1:s3-encryption-kms' }),
    });
  });

  it('imports nothing for a compliant bucket it never reported', async () => {
    const bucket = uniqueBucketName('shub');
    const { accountId, region } = localConfig();
    const reporter = reporterFor(accountId, region);
    const outcomes = [outcome(bucket, 'ALREADY_COMPLIANT')];

    await reporter.report(
      {
        call: { eventId: 'sweep-2', eventName: 'WardenSweep', eventTime: new Date().toISOString(), region },
        subject: { resourceType: 'AWS::S3::Bucket', accountId },
        outcomes,
        violations: [],
      },
      silent,
    );

    expect(await findingsById([`warden/${accountId}/${region}/s3-encryption-kms/${bucket}`])).toEqual([]);
  });

  it('reports a finding Security Hub refuses (FailedFindings) as failed, and imports the others', async () => {
    const bucket = uniqueBucketName('shub');
    const good = { Id: `good-${bucket}`, Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::${bucket}` }] };
    const bad = { Id: `bad-${bucket}`, Resources: [] };

    const result = await securityHubImporter(securityHub())([good, bad] as AwsSecurityFinding[]);

    expect(result.imported).toEqual([good.Id]);
    expect(result.failed).toEqual([expect.objectContaining({ id: bad.Id, code: 'InvalidInput' })]);
  });

  describe('through the built s3-guard bundle (its own wiring, the SDK chunk loaded on first import)', () => {
    const encryptionEvent = (bucket: string) =>
      retargetEvent(loadSampleEvent('s3/put-bucket-encryption-sse-s3.json'), {
        bucket,
        accountId: localConfig().accountId,
      });
    const invoke = (event: unknown, mode: 'enforce' | 'detect') =>
      invokeLocal(
        's3-guard',
        event,
        localConfig(),
        makePolicy({ securityHub: { enabled: true }, controls: { 's3-encryption-kms': { mode } } }),
        QUIET,
      );

    it('imports a repaired violation as a resolved finding', async () => {
      const bucket = uniqueBucketName('shub');
      const { accountId, region } = localConfig();
      await resetBucket(makeClients().s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });

      const result = await invoke(encryptionEvent(bucket), 'enforce');

      expect(result.outcomes).toMatchObject([{ controlId: 's3-encryption-kms', status: 'REMEDIATED' }]);
      expect(await findingsById([`warden/${accountId}/${region}/s3-encryption-kms/${bucket}`])).toEqual([
        expect.objectContaining({
          Compliance: expect.objectContaining({ Status: 'PASSED' }),
          Workflow: { Status: 'RESOLVED' },
          Resources: [expect.objectContaining({ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::${bucket}` })],
        }),
      ]);
      await takeAlerts();
    });

    it('opens a finding in detect mode and resolves the same one once the bucket is fixed', async () => {
      const bucket = uniqueBucketName('shub');
      const { accountId, region, kmsKeyArn } = localConfig();
      const id = `warden/${accountId}/${region}/s3-encryption-kms/${bucket}`;
      await resetBucket(makeClients().s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });

      await invoke(encryptionEvent(bucket), 'detect');
      const opened = await findingsById([id]);
      await resetBucket(makeClients().s3, bucket, { encryption: { kmsKeyArn }, publicAccessBlock: 'all' });
      const again = await invoke(encryptionEvent(bucket), 'detect');
      const resolved = await findingsById([id]);

      expect(opened).toEqual([
        expect.objectContaining({ Compliance: expect.objectContaining({ Status: 'FAILED' }) }),
      ]);
      expect(again.outcomes).toMatchObject([{ status: 'ALREADY_COMPLIANT' }]);
      expect(resolved).toEqual([
        expect.objectContaining({
          Compliance: expect.objectContaining({ Status: 'PASSED' }),
          RecordState: 'ARCHIVED',
        }),
      ]);
      await takeAlerts();
    });
  });
});
