import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import type { WardenMetric } from '#shared/observability/observability.ts';
import type { FindingScope } from '#shared/securityhub/finding.ts';
import {
  type FindingLedger,
  type LedgerEntry,
  ledgerPartitionOf,
} from '#shared/securityhub/finding-ledger.ts';
import {
  type FindingsReport,
  type Observe,
  securityHubFindingsReporter,
} from '#shared/securityhub/findings-reporter.ts';
import type { ImportResult } from '#shared/securityhub/importer.ts';

const ACCOUNT = '123456789012';
const HOME = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT };
const NOW = new Date('2026-12-04T10:00:00.000Z');
const ENCRYPTION_ID = `warden/${ACCOUNT}/us-east-1/s3-encryption-kms/my-bucket`;

function outcome(controlId: ControlOutcome['controlId'], status: OutcomeStatus): ControlOutcome {
  return {
    controlId,
    title: controlId,
    severity: 'HIGH',
    compliance: ['Security Hub S3.17'],
    resource: 'my-bucket',
    status,
    reason: `${controlId} ${status}`,
    actions: [],
  };
}

function reportOf(outcomes: ControlOutcome[], overrides: Partial<FindingsReport> = {}): FindingsReport {
  return {
    call: {
      eventId: 'e-1',
      eventName: 'PutBucketEncryption',
      eventTime: '2026-12-04T09:59:59Z',
      region: 'us-east-1',
    },
    subject: { resourceType: 'AWS::S3::Bucket', accountId: ACCOUNT },
    outcomes,
    violations: outcomes.filter((item) => item.status !== 'ALREADY_COMPLIANT' && item.status !== 'SKIPPED'),
    ...overrides,
  };
}

/** The ledger in memory, by partition and control. */
class MemoryLedger implements FindingLedger {
  readonly items = new Map<string, Map<string, LedgerEntry>>();
  failRead = false;
  async read(scope: FindingScope) {
    if (this.failRead) throw new Error('DynamoDB unavailable');
    return this.items.get(ledgerPartitionOf(scope)) ?? new Map();
  }
  async mark(scope: FindingScope, entries: readonly LedgerEntry[]) {
    const partition = this.items.get(ledgerPartitionOf(scope)) ?? new Map();
    for (const entry of entries) partition.set(entry.controlId, entry);
    this.items.set(ledgerPartitionOf(scope), partition);
  }
  entry(controlId: string) {
    return this.items.get(`FINDING#${ACCOUNT}#us-east-1#my-bucket`)?.get(controlId);
  }
}

describe('securityHubFindingsReporter', () => {
  let ledger: MemoryLedger;
  let sent: AwsSecurityFinding[][];
  let answer: (findings: readonly AwsSecurityFinding[]) => Promise<ImportResult>;
  const metrics: { name: WardenMetric; dimensions?: Readonly<Record<string, string>> }[] = [];
  const errors: string[] = [];

  const observe: Observe = {
    log: {
      info: () => undefined,
      warn: () => undefined,
      error: (message: string) => void errors.push(message),
    },
    metrics: { count: (name, dimensions) => void metrics.push({ name, dimensions }) },
  };
  const reporter = () => {
    const built = securityHubFindingsReporter({
      home: HOME,
      importFindings: async (findings) => {
        sent.push([...findings]);
        return answer(findings);
      },
      ledger,
      clock: { now: () => NOW },
    });
    return { report: (report: FindingsReport) => built.report(report, observe) };
  };
  const counted = (name: WardenMetric) => metrics.filter((metric) => metric.name === name).length;

  beforeEach(() => {
    ledger = new MemoryLedger();
    sent = [];
    answer = async (findings) => ({ imported: findings.map((finding) => finding.Id ?? ''), failed: [] });
    metrics.length = 0;
    errors.length = 0;
  });

  it('imports a detected violation as an open finding and records it in the ledger', async () => {
    await reporter().report(reportOf([outcome('s3-encryption-kms', 'DETECTED')]));

    expect(sent.flat().map((finding) => [finding.Id, finding.Compliance?.Status])).toEqual([
      [ENCRYPTION_ID, 'FAILED'],
    ]);
    expect(ledger.entry('s3-encryption-kms')).toEqual({
      controlId: 's3-encryption-kms',
      findingId: ENCRYPTION_ID,
      open: true,
      createdAt: NOW.toISOString(),
    });
    expect(metrics).toContainEqual({
      name: 'FindingsImported',
      dimensions: { control: 's3-encryption-kms' },
    });
    expect(sent.flat()[0]).toMatchObject({
      FirstObservedAt: '2026-12-04T09:59:59Z',
      LastObservedAt: '2026-12-04T09:59:59Z',
      CreatedAt: NOW.toISOString(),
    });
  });

  it('imports a repaired violation as resolved', async () => {
    await reporter().report(reportOf([outcome('s3-encryption-kms', 'REMEDIATED')]));

    expect(sent.flat()[0]).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    expect(ledger.entry('s3-encryption-kms')?.open).toBe(false);
  });

  it('imports nothing for a compliant resource Warden never reported (no PASSED finding per sweep)', async () => {
    await reporter().report(
      reportOf([outcome('s3-encryption-kms', 'ALREADY_COMPLIANT'), outcome('s3-public-acl', 'SKIPPED')]),
    );

    expect(sent).toEqual([]);
    expect(metrics).toEqual([]);
  });

  it('resolves the open finding of a resource that became compliant, keeping its id and creation time', async () => {
    await ledger.mark({ accountId: ACCOUNT, region: 'us-east-1', resource: 'my-bucket' }, [
      {
        controlId: 's3-encryption-kms',
        findingId: ENCRYPTION_ID,
        open: true,
        createdAt: '2026-11-01T00:00:00.000Z',
      },
    ]);

    await reporter().report(reportOf([outcome('s3-encryption-kms', 'ALREADY_COMPLIANT')]));

    expect(sent.flat()).toEqual([
      expect.objectContaining({
        Id: ENCRYPTION_ID,
        CreatedAt: '2026-11-01T00:00:00.000Z',
        Compliance: expect.objectContaining({ Status: 'PASSED' }),
        RecordState: 'ARCHIVED',
      }),
    ]);
    expect(ledger.entry('s3-encryption-kms')?.open).toBe(false);
  });

  it('does not update a finding already resolved when the resource stays compliant', async () => {
    await ledger.mark({ accountId: ACCOUNT, region: 'us-east-1', resource: 'my-bucket' }, [
      {
        controlId: 's3-encryption-kms',
        findingId: ENCRYPTION_ID,
        open: false,
        createdAt: '2026-11-01T00:00:00.000Z',
      },
    ]);

    await reporter().report(reportOf([outcome('s3-encryption-kms', 'ALREADY_COMPLIANT')]));

    expect(sent).toEqual([]);
  });

  it('counts, logs and leaves out of the ledger what Security Hub refused; never throws', async () => {
    answer = async (findings) => ({
      imported: [],
      failed: findings.map((finding) => ({
        id: finding.Id ?? '',
        code: 'InvalidAccess',
        message: 'not subscribed',
      })),
    });

    await expect(
      reporter().report(reportOf([outcome('s3-encryption-kms', 'DETECTED')])),
    ).resolves.toBeUndefined();

    expect(counted('FindingsImportFailures')).toBe(1);
    expect(errors).toEqual(['Security Hub did not import findings']);
    expect(ledger.entry('s3-encryption-kms')).toBeUndefined();
  });

  it('swallows an importer that throws: logged and counted', async () => {
    answer = async () => {
      throw new Error('chunk failed to load');
    };

    await expect(
      reporter().report(reportOf([outcome('s3-encryption-kms', 'DETECTED')])),
    ).resolves.toBeUndefined();

    expect(counted('FindingsImportFailures')).toBe(1);
    expect(errors).toEqual(['Security Hub findings were not recorded']);
  });

  it('still imports violations when the ledger cannot be read, and leaves compliant outcomes alone', async () => {
    ledger.failRead = true;

    await reporter().report(
      reportOf([outcome('s3-encryption-kms', 'DETECTED'), outcome('s3-public-acl', 'ALREADY_COMPLIANT')]),
    );

    expect(sent.flat().map((finding) => finding.GeneratorId)).toEqual(['warden/s3-encryption-kms']);
    expect(counted('FindingsImportFailures')).toBe(1);
  });

  it("counts a member account's violations as not imported (only that account may import them)", async () => {
    await reporter().report(
      reportOf([outcome('s3-encryption-kms', 'DETECTED')], {
        subject: { resourceType: 'AWS::S3::Bucket', accountId: '210987654321' },
      }),
    );

    expect(sent).toEqual([]);
    expect(counted('FindingsNotImported')).toBe(1);
  });
});
