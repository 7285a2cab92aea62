import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { controlCatalogue } from '#shared/controls/catalogue.ts';
import { writeLocalConfig } from '../../cli/local/local-config.ts';
import { findFreePort } from '../../cli/local/moto.ts';
import { PROJECT_ROOT } from '../../cli/local/paths.ts';
import { startFakeSlackServer } from '../support/fake-slack-server.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * The `warden` command line as people run it (`npx tsx cli/main.ts ...`), against the test emulator
 * through a temporary local config (WARDEN_LOCAL_CONFIG), so the user's .warden/local.json is untouched.
 */
const execFileAsync = promisify(execFile);
let workDir: string;
let configFile: string;

async function warden(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync('npx', ['tsx', 'cli/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WARDEN_LOCAL_CONFIG: configFile, ...env },
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function eventFile(name: string, event: unknown): string {
  const path = join(workDir, name);
  writeFileSync(path, JSON.stringify(event));
  return path;
}

/** A bucket in need of repair and the CreateBucket event that s3-guard processes for it. */
async function newBucketEvent() {
  const bucket = uniqueBucketName('cli');
  await resetBucket(makeClients().s3, bucket, { encryption: 'AES256', publicAccessBlock: 'none' });
  const event = retargetEvent(loadSampleEvent('s3/create-bucket.json'), {
    bucket,
    accountId: localConfig().accountId,
  });
  return { bucket, event, file: eventFile(`${bucket}.json`, event) };
}

/** Points the emulator's webhook secret at `url`; put back to local mode's capture URL after each test. */
async function setWebhookSecret(url: string): Promise<void> {
  await makeClients().secretsManager.send(
    new PutSecretValueCommand({ SecretId: localConfig().slackWebhookSecretArn, SecretString: url }),
  );
}

afterEach(() => setWebhookSecret(localConfig().slackCaptureUrl));

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'warden-cli-'));
  configFile = join(workDir, 'local.json');
  writeLocalConfig(localConfig(), configFile);
});

describe('warden local invoke', () => {
  it('exits 0 when s3-guard PROCESSED the event, printing the result as JSON', async () => {
    const { file } = await newBucketEvent();

    const { exitCode, stdout } = await warden(['local', 'invoke', 's3-guard', file]);

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'PROCESSED' });
    await takeAlerts();
  });

  it('exits 0 when the event is deliberately IGNORED (a failed call)', async () => {
    const { exitCode, stdout } = await warden([
      'local',
      'invoke',
      's3-guard',
      'events/s3/delete-bucket-encryption-failed-call.json',
    ]);

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'IGNORED' });
  });

  it('exits 1 when the event is REJECTED, naming the missing field', async () => {
    const { exitCode, stdout, stderr } = await warden([
      'local',
      'invoke',
      's3-guard',
      'events/invalid/missing-event-id.json',
    ]);

    expect(exitCode).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'REJECTED' });
    expect(stderr).toContain('detail.eventID');
  });

  it('runs notify-slack on an SNS event and shows the message the local Slack server received', async () => {
    // The CLI runs its capture server at the capture URL local mode wrote: a free port for this test.
    const captureUrl = `http://127.0.0.1:${await findFreePort()}/services/TTEST/BTEST/cli-test`;
    const captureConfig = join(workDir, 'capture-local.json');
    writeLocalConfig({ ...localConfig(), slackCaptureUrl: captureUrl }, captureConfig);
    await setWebhookSecret(captureUrl);

    const { exitCode, stdout, stderr } = await warden(
      ['local', 'invoke', 'notify-slack', 'events/sns/alert-s3-remediated.json'],
      { WARDEN_LOCAL_CONFIG: captureConfig },
    );

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ delivered: 1, digested: 0, skipped: 0, permanentFailures: 0 });
    expect(stderr).toContain('▌ HIGH: Warden repaired example-bucket');
  });

  it("delivers to the user's own webhook server on 127.0.0.1 instead of starting the capture server there", async () => {
    const ownServer = await startFakeSlackServer({ path: '/hooks/my-own-receiver' });
    try {
      await setWebhookSecret(ownServer.url);

      const { exitCode, stdout, stderr } = await warden([
        'local',
        'invoke',
        'notify-slack',
        'events/sns/alert-s3-remediated.json',
      ]);

      expect(stderr).not.toContain('EADDRINUSE');
      expect(exitCode).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ delivered: 1 });
      expect(ownServer.received).toHaveLength(1);
      expect(JSON.stringify(ownServer.received[0]?.payload)).toContain('example-bucket');
    } finally {
      await ownServer.close();
    }
  });

  it('exits 1 when notify-slack gets an event that is neither SNS nor SQS', async () => {
    const file = eventFile('not-sns.json', { hello: 'world' });

    const { exitCode, stderr } = await warden(['local', 'invoke', 'notify-slack', file]);

    expect(exitCode).toBe(1);
    expect(stderr).toContain('REJECTED');
  });
});

describe('warden audit list and undo', () => {
  it('lists the actions s3-guard recorded for a bucket, with their action ids', async () => {
    const { bucket, file, event } = await newBucketEvent();
    await warden(['local', 'invoke', 's3-guard', file]);

    const { exitCode, stdout } = await warden(['audit', 'list', '--bucket', bucket]);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('ACTION ID');
    expect(stdout).toContain(`${event.detail.eventID as string}:s3-encryption-kms`);
    expect(stdout).toContain(`${event.detail.eventID as string}:s3-bucket-public-access-block`);
    await takeAlerts();
  });

  it('undoes a fix, and a second undo says it was already undone and exits 0', async () => {
    const { file, event } = await newBucketEvent();
    await warden(['local', 'invoke', 's3-guard', file]);
    const actionId = `${event.detail.eventID as string}:s3-encryption-kms`;

    const first = await warden(['undo', actionId]);
    const second = await warden(['undo', actionId]);

    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('exemptBuckets');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`Already undone: ${actionId} was undone at`);
    expect(second.stdout).not.toContain("someone else's change");
    await takeAlerts();
  });

  it('refuses to undo a fix someone changed since, exits 1 and says how to exempt the bucket', async () => {
    const { bucket, file, event } = await newBucketEvent();
    await warden(['local', 'invoke', 's3-guard', file]);
    await makeClients().s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    );

    const { exitCode, stdout } = await warden([
      'undo',
      `${event.detail.eventID as string}:s3-encryption-kms`,
    ]);

    expect(exitCode).toBe(1);
    expect(stdout).toContain('Refused');
    expect(stdout).toContain("someone else's change");
    expect(stdout).toContain('exemptBuckets');
    await takeAlerts();
  });

  it('rejects a --limit that is not a positive integer', async () => {
    const { exitCode, stderr } = await warden(['audit', 'list', '--limit', 'many']);

    expect(exitCode).toBe(2);
    expect(stderr).toContain('--limit');
  });
});

describe('warden reference commands', () => {
  it('prints the root-keys SCP as JSON on stdout and how to attach it on stderr', async () => {
    const { exitCode, stdout, stderr } = await warden(['scp', 'root-keys']);

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: 'iam:CreateAccessKey' }],
    });
    expect(stderr).toContain('aws organizations attach-policy');
  });

  it('lists every control of the catalogue', async () => {
    const { exitCode, stdout } = await warden(['controls']);

    expect(exitCode).toBe(0);
    for (const entry of controlCatalogue()) expect(stdout).toContain(entry.id);
  });

  it('lists every command in --help', async () => {
    const { exitCode, stdout } = await warden(['--help']);

    expect(exitCode).toBe(0);
    for (const command of [
      'local up',
      'local invoke',
      'local down',
      'audit list',
      'undo',
      'controls',
      'scp root-keys',
    ])
      expect(stdout).toContain(command);
  });

  it('validates the policy file before any command', async () => {
    const policyFile = join(workDir, 'bad.policy.yaml');
    writeFileSync(policyFile, 'version: 1\nsurprise: true\n');

    const { exitCode, stderr } = await warden(['controls', '--policy', policyFile]);

    expect(exitCode).toBe(1);
    expect(stderr).toContain('surprise');
  });
});
