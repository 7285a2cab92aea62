import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketAclCommand } from '@aws-sdk/client-s3';
import type { Policy } from '#shared/policy/schema.ts';
import { describeAcl, describeBucket, field, heading } from './demo-format.ts';
import { readBucketAclGrants, readObjectOwnership } from './local/access-snapshot.ts';
import { takeCapturedAlerts } from './local/alert-capture.ts';
import { resetBucket } from './local/bucket-setup.ts';
import { readBucketSnapshot } from './local/bucket-snapshot.ts';
import type { LocalClients } from './local/clients.ts';
import { type LocalConfig, writeLocalConfig } from './local/local-config.ts';
import { captureOutput } from './output.ts';
import { sweepCommand } from './sweep-command.ts';

const say = (text = '') => process.stdout.write(`${text}\n`);

/** Buckets that were misconfigured before Warden was deployed: no event will ever name them. */
const LEGACY = { sseS3: 'demo-legacy-sse-s3', publicAcl: 'demo-legacy-public-acl' } as const;

interface SweepReport {
  readonly exitCode: number;
  readonly totals: { readonly resources: number; readonly repaired: number; readonly detected: number };
  readonly findings: readonly {
    readonly resource: string;
    readonly controlId: string;
    readonly status: string;
    readonly wouldRepair?: boolean;
  }[];
}

async function runSweep(configPath: string, policy: Policy, dryRun: boolean): Promise<SweepReport> {
  const run = await captureOutput(() =>
    sweepCommand({ dryRun, json: true, aws: false, prefix: 'warden', configPath, policy }),
  );
  const json = run.output.slice(run.output.indexOf('{'));
  return JSON.parse(json) as SweepReport;
}

const legacyFindings = (report: SweepReport) =>
  report.findings.filter((finding) => Object.values<string>(LEGACY).includes(finding.resource));

/**
 * The sweep: buckets that were wrong before Warden was deployed, found and repaired without any event,
 * first as a dry run (nothing changes), then for real. Returns whether it behaved as expected.
 */
export async function runSweepDemo(context: {
  readonly config: LocalConfig;
  readonly clients: LocalClients;
  readonly policy: Policy;
}): Promise<boolean> {
  const { config, clients, policy } = context;
  say(heading('Sweep: buckets that were already wrong before Warden was deployed'));
  say(
    field('Story', [
      'Events only show changes. These two buckets were misconfigured long ago: one with the default',
      'SSE-S3, one readable by everyone through its ACL. `npx warden sweep` checks every bucket with the',
      'same controls as the events, first as a dry run, then for real.',
    ]),
  );
  await resetBucket(clients.s3, LEGACY.sseS3, { encryption: 'AES256', publicAccessBlock: 'all' });
  await resetBucket(clients.s3, LEGACY.publicAcl, {
    encryption: { kmsKeyArn: config.kmsKeyArn },
    publicAccessBlock: 'all',
  });
  await clients.s3.send(new PutBucketAclCommand({ Bucket: LEGACY.publicAcl, ACL: 'public-read' }));
  const configPath = join(mkdtempSync(join(tmpdir(), 'warden-demo-sweep-')), 'local.json');
  writeLocalConfig(config, configPath);

  const dryRun = await runSweep(configPath, policy, true);
  say(
    field(
      'Dry run',
      legacyFindings(dryRun).map(
        (f) => `${f.resource}: ${f.controlId} ${f.wouldRepair ? 'would be repaired' : f.status}`,
      ),
    ),
  );
  const untouched = (await readBucketSnapshot(clients.s3, LEGACY.sseS3)).encryption?.algorithm === 'AES256';

  const swept = await runSweep(configPath, policy, false);
  say(
    field(
      'Sweep',
      legacyFindings(swept).map((f) => `${f.resource}: ${f.controlId} ${f.status}`),
    ),
  );
  say(
    field('After', [
      `${LEGACY.sseS3}:`,
      ...describeBucket(await readBucketSnapshot(clients.s3, LEGACY.sseS3), config).map(
        (line) => `  ${line}`,
      ),
      `${LEGACY.publicAcl}:`,
      ...describeAcl(
        await readBucketAclGrants(clients.s3, LEGACY.publicAcl),
        await readObjectOwnership(clients.s3, LEGACY.publicAcl),
      ).map((line) => `  ${line}`),
    ]),
  );
  say(
    field(
      'Report',
      `${swept.totals.resources} resources checked in the account, ${swept.totals.repaired} repaired, ${swept.totals.detected} reported (detect mode)`,
    ),
  );
  const digests = (await takeCapturedAlerts(clients.sqs, config.alertCaptureQueueUrl)).filter((alert) =>
    alert.subject.includes('Sweep'),
  );
  say(
    field(
      'Slack',
      digests.map((alert) => `one digest: ${alert.subject}`),
    ),
  );

  const repaired = (resource: string, control: string) =>
    swept.findings.some(
      (f) => f.resource === resource && f.controlId === control && f.status === 'REMEDIATED',
    );
  const ok =
    untouched &&
    legacyFindings(dryRun).every((finding) => finding.status === 'DETECTED') &&
    repaired(LEGACY.sseS3, 's3-encryption-kms') &&
    repaired(LEGACY.publicAcl, 's3-public-acl') &&
    digests.length === 1;
  say(
    field(
      'Result',
      ok
        ? 'as expected'
        : 'UNEXPECTED: the dry run changed something, or the sweep missed a legacy bucket or sent not one digest',
    ),
  );
  return ok;
}
