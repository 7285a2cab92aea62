import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#shared/config/names.ts';
import { localGuardConfig } from '../../../cli/local/guard-config.ts';
import type { LocalConfig } from '../../../cli/local/local-config.ts';
import { makePolicy } from '../../fixtures.ts';

const ACCOUNT = '123456789012';
const local: LocalConfig = {
  endpoint: 'http://127.0.0.1:5055',
  region: 'us-east-1',
  accountId: ACCOUNT,
  prefix: 'warden',
  kmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  kmsKeyAlias: 'alias/warden-bucket-key',
  alertTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:warden-alerts`,
  idempotencyTable: 'warden-idempotency',
  auditTable: 'warden-audit',
  functionRoleArns: Object.fromEntries(
    FUNCTION_NAMES.map((name) => [name, `arn:aws:iam::${ACCOUNT}:role/warden-${name}`]),
  ) as LocalConfig['functionRoleArns'],
  ownRoleArns: [`arn:aws:iam::${ACCOUNT}:role/warden-s3-guard`],
  alertCaptureQueueUrl: 'http://127.0.0.1:5055/123456789012/warden-alerts-capture',
  alertCaptureQueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:warden-alerts-capture`,
  slackWebhookSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:warden-slack`,
  slackCaptureUrl: 'http://127.0.0.1:5056/services/T/B/x',
  slackDeadLetterQueueUrl: 'http://127.0.0.1:5055/123456789012/warden-slack-undelivered-alerts',
};

describe('local guard configuration', () => {
  it("gives the guards the emulator's resources, Warden's own sessions in its account and the policy", () => {
    const policy = makePolicy();

    const config = localGuardConfig(local, policy);

    expect(config).toMatchObject({
      region: 'us-east-1',
      kmsKeyArn: local.kmsKeyArn,
      alertTopicArn: local.alertTopicArn,
      idempotencyTable: 'warden-idempotency',
      auditTable: 'warden-audit',
      policy,
    });
    expect(config.ownSessionArns.length).toBeGreaterThan(0);
    expect(
      config.ownSessionArns.every((arn) => arn.startsWith(`arn:aws:sts::${ACCOUNT}:assumed-role/`)),
    ).toBe(true);
  });
});
