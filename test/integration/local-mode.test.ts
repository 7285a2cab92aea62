import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { PolicySchema } from '#shared/policy/schema.ts';
import { LOCAL_REGION } from '../../cli/local/credentials.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import { LocalConfigSchema, readLocalConfig, writeLocalConfig } from '../../cli/local/local-config.ts';
import { findFreePort, isEndpointAnswering, startMoto } from '../../cli/local/moto.ts';
import { PROJECT_ROOT } from '../../cli/local/paths.ts';
import { provisionLocal } from '../../cli/local/provision.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

const execFileAsync = promisify(execFile);

async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync('npx', ['tsx', 'cli/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('provisioning', () => {
  it('returns the same resources when run again', async () => {
    // Prepare
    const first = localConfig();

    // Act
    const second = await provisionLocal({
      endpoint: first.endpoint,
      region: first.region,
      prefix: first.prefix,
    });

    // Assess
    expect(second).toEqual(first);
  });

  it('subscribes the capture queue to the alert topic only once', async () => {
    const config = localConfig();
    await provisionLocal({ endpoint: config.endpoint, region: config.region, prefix: config.prefix });

    const { Subscriptions = [] } = await makeClients().sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: config.alertTopicArn }),
    );

    expect(Subscriptions.map((subscription) => subscription.Endpoint)).toEqual([config.alertCaptureQueueArn]);
  });

  it('produces a config with every field local mode promises, named as the stack names them', () => {
    const config = localConfig();

    expect(LocalConfigSchema.parse(config)).toEqual(config);
    expect(config).toMatchObject({
      region: LOCAL_REGION,
      accountId: '123456789012',
      kmsKeyAlias: 'alias/warden',
      alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:warden-alerts',
      idempotencyTable: 'warden-idempotency',
      auditTable: 'warden-audit',
    });
    expect(config.ownRoleArns).toContain('arn:aws:iam::123456789012:role/warden-s3-guard-role');
  });

  it('enables key rotation and encrypts the topic with the internal key, not the bucket key', async () => {
    const config = localConfig();
    const clients = makeClients();

    const [rotation, topic, internal] = await Promise.all([
      clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: config.kmsKeyArn })),
      clients.sns.send(new GetTopicAttributesCommand({ TopicArn: config.alertTopicArn })),
      clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/warden-internal' })),
    ]);

    expect(rotation.KeyRotationEnabled).toBe(true);
    expect(topic.Attributes?.KmsMasterKeyId).toBe(internal.KeyMetadata?.Arn);
    expect(topic.Attributes?.KmsMasterKeyId).not.toBe(config.kmsKeyArn);
  });

  it('turns TTL on with the attributes the idempotency store and audit log write', async () => {
    const config = localConfig();
    const { dynamodb } = makeClients();

    const [idempotency, audit] = await Promise.all([
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: config.idempotencyTable })),
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: config.auditTable })),
    ]);

    expect(idempotency.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiration',
    });
    expect(audit.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('creates the Slack webhook secret with the stack name, holding the local capture URL', async () => {
    const config = localConfig();
    const { secretsManager } = makeClients();

    const [secret, value] = await Promise.all([
      secretsManager.send(new DescribeSecretCommand({ SecretId: config.slackWebhookSecretArn })),
      secretsManager.send(new GetSecretValueCommand({ SecretId: config.slackWebhookSecretArn })),
    ]);

    expect(secret.Name).toBe('warden/slack-webhook-url');
    expect(config.slackCaptureUrl).toBe('http://127.0.0.1:5056/services/TLOCAL/BLOCAL/warden-local-capture');
    expect(value.SecretString).toBe(config.slackCaptureUrl);
  });

  it('writes a local.json that reads back unchanged', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'warden-')), 'local.json');

    writeLocalConfig(localConfig(), path);

    expect(readLocalConfig(path)).toEqual(localConfig());
  });
});

describe('moto server', () => {
  it('answers once started and stops answering once stopped', async () => {
    const moto = await startMoto({ port: await findFreePort() });
    const answeringWhileUp = await isEndpointAnswering(moto.endpoint);

    await moto.stop();

    expect(answeringWhileUp).toBe(true);
    expect(await isEndpointAnswering(moto.endpoint)).toBe(false);
  });
});

describe('invokeLocal', () => {
  it('runs the s3-guard bundle against the emulator: the bucket is repaired and one alert published', async () => {
    // Prepare
    const config = localConfig();
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('local-invoke');
    await resetBucket(s3, bucket, { encryption: 'AES256', publicAccessBlock: 'all' });
    await takeAlerts();
    const event = retargetEvent(loadSampleEvent('s3/put-bucket-encryption-sse-s3.json'), {
      bucket,
      accountId: config.accountId,
    });

    // Act
    const result = await invokeLocal('s3-guard', event, config, PolicySchema.parse({ version: 1 }), {
      env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });

    // Assess
    expect(result.status).toBe('PROCESSED');
    expect((await readBucketSnapshot(s3, bucket)).encryption).toMatchObject({
      algorithm: 'aws:kms',
      kmsKeyId: config.kmsKeyArn,
    });
    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.notification.metadata.relatedResources).toEqual([bucket]);
  });
});

describe('warden CLI', () => {
  it('rejects an invalid policy file, naming the field, before touching the emulator', async () => {
    const policyFile = join(mkdtempSync(join(tmpdir(), 'warden-')), 'bad.policy.yaml');
    writeFileSync(policyFile, 'version: 1\ncontrols:\n  s3-encryption-kms:\n    mode: fix-it\n');

    const { exitCode, stderr } = await runCli(['local', 'up', '--policy', policyFile], {
      AWS_ENDPOINT_URL: localConfig().endpoint,
    });

    expect(exitCode).toBe(1);
    expect(stderr).toContain('controls["s3-encryption-kms"].mode');
  });

  it('prints usage and exits 2 on an unknown command', async () => {
    const { exitCode, stderr } = await runCli(['local', 'sideways']);

    expect(exitCode).toBe(2);
    expect(stderr).toContain('Usage: warden <command>');
  });
});
