import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exemptionRows, listExemptions } from '../../../cli/exemptions-command.ts';
import { makePolicy } from '../../fixtures.ts';

const NOW = new Date('2026-11-20T10:15:30Z');
const policy = makePolicy({
  s3: {
    exemptBuckets: [
      { bucket: 'cdk-hnb659fds-assets-{account}-{region}', reason: 'CDK bootstrap' },
      {
        bucket: 'reports-*',
        reason: 'KMS costs, SEC-12',
        controls: ['s3-encryption-kms'],
        expires: '2026-11-23',
      },
      { bucket: 'legacy-site', reason: 'migration done', expires: '2026-11-01' },
    ],
  },
});

function printed(run: () => number): { exitCode: number; stdout: string } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const exitCode = run();
  return { exitCode, stdout: chunks.join('') };
}

describe('warden exemptions', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives each exemption its pattern, controls, reason, expiry and status', () => {
    expect(exemptionRows(policy, NOW)).toEqual([
      {
        bucket: 'cdk-hnb659fds-assets-{account}-{region}',
        controls: 'all',
        reason: 'CDK bootstrap',
        expires: null,
        expiresAt: null,
        status: 'active',
        statusText: 'active',
      },
      {
        bucket: 'reports-*',
        controls: ['s3-encryption-kms'],
        reason: 'KMS costs, SEC-12',
        expires: '2026-11-23',
        expiresAt: '2026-11-24T00:00:00.000Z',
        status: 'expiring',
        statusText: 'expires in 3 days',
      },
      {
        bucket: 'legacy-site',
        controls: 'all',
        reason: 'migration done',
        expires: '2026-11-01',
        expiresAt: '2026-11-02T00:00:00.000Z',
        status: 'expired',
        statusText: 'expired',
      },
    ]);
  });

  it('prints a table and says what to do about the expiring and the expired ones', () => {
    const { exitCode, stdout } = printed(() => listExemptions(policy, NOW, { json: false }));

    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^BUCKET\s+CONTROLS\s+EXPIRES\s+STATUS\s+REASON/);
    expect(stdout).toMatch(
      /reports-\*\s+s3-encryption-kms\s+2026-11-23\s+expires in 3 days\s+KMS costs, SEC-12/,
    );
    expect(stdout).toMatch(/legacy-site\s+all bucket controls\s+2026-11-01\s+expired\s+migration done/);
    expect(stdout).toContain('1 expires within 7 days: renew');
    expect(stdout).toContain('1 expired: no longer applied');
  });

  it('prints the rows as JSON with --json', () => {
    const { stdout } = printed(() => listExemptions(policy, NOW, { json: true }));

    expect(JSON.parse(stdout)).toEqual(exemptionRows(policy, NOW));
  });

  it('says so when there is no exemption', () => {
    const { stdout } = printed(() => listExemptions(makePolicy(), NOW, { json: false }));

    expect(stdout).toContain('No exemptions');
  });
});

describe('npx warden exemptions (the command as people run it)', () => {
  it('reads --policy and prints its exemptions as JSON with --json', async () => {
    const policyFile = join(mkdtempSync(join(tmpdir(), 'warden-exemptions-')), 'warden.policy.yaml');
    writeFileSync(
      policyFile,
      'version: 1\ns3:\n  exemptBuckets:\n    - bucket: logs-*\n      reason: log archive\n      controls: [s3-encryption-kms]\n      expires: 2020-01-31\n',
    );

    const { stdout } = await promisify(execFile)('npx', [
      'tsx',
      'cli/main.ts',
      'exemptions',
      '--json',
      '--policy',
      policyFile,
    ]);

    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ bucket: 'logs-*', controls: ['s3-encryption-kms'], status: 'expired' }),
    ]);
  }, 30_000);
});
