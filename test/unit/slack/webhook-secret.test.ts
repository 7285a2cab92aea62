import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { AccessDeniedError } from '#shared/errors/errors.ts';
import { WebhookSecretError } from '../../../functions/notify-slack/errors.ts';
import { secretsManagerWebhookUrl } from '../../../functions/notify-slack/webhook-secret.ts';

const secretsMock = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:warden/slack-webhook-url-AbCdEf';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';

const source = () => secretsManagerWebhookUrl(new SecretsManagerClient({ region: 'us-east-1' }), SECRET_ARN);

describe('secretsManagerWebhookUrl', () => {
  beforeEach(() => {
    secretsMock.reset();
  });

  it('reads nothing until the URL is first needed', () => {
    source();

    expect(secretsMock).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('reads the secret once and serves later calls from memory', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const webhook = source();

    const urls = await Promise.all([webhook.get(), webhook.get()]);
    urls.push(await webhook.get());

    expect(urls).toEqual([WEBHOOK, WEBHOOK, WEBHOOK]);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('accepts JSON {"url": ...} and trims whitespace', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: ` {"url": "${WEBHOOK}"}\n` });

    await expect(source().get()).resolves.toBe(WEBHOOK);
  });

  it('reads again after forget (Slack said the webhook is gone; the secret may have been rotated)', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: WEBHOOK })
      .resolves({ SecretString: `${WEBHOOK}2` });
    const webhook = source();
    await webhook.get();

    webhook.forget();

    await expect(webhook.get()).resolves.toBe(`${WEBHOOK}2`);
  });

  it('fails clearly on an empty secret, retryably, and reads again next time', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '  ' })
      .resolves({ SecretString: WEBHOOK });
    const webhook = source();

    const error = await webhook.get().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WebhookSecretError);
    expect((error as WebhookSecretError).retryable).toBe(true);
    expect((error as Error).message).toBe(
      `The Slack webhook secret ${SECRET_ARN} is empty: store the incoming-webhook URL in it`,
    );
    await expect(webhook.get()).resolves.toBe(WEBHOOK);
  });

  it('fails clearly when the secret has no value yet', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        $metadata: { httpStatusCode: 400 },
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      }),
    );

    const error = await source()
      .get()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WebhookSecretError);
    expect((error as Error).message).toContain('has no value (or does not exist)');
  });

  it('does not echo a value that is not a URL', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'xoxb-not-a-url-SECRET' });

    const error = (await source()
      .get()
      .catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(WebhookSecretError);
    expect(error.message).not.toContain('SECRET');
  });

  it.each(['http://hooks.slack.com/services/T/B/X', 'ftp://127.0.0.1/x'])(
    'refuses %s: only https, or http to loopback',
    async (value) => {
      secretsMock.on(GetSecretValueCommand).resolves({ SecretString: value });

      await expect(source().get()).rejects.toThrow('must hold an https URL');
    },
  );

  it('accepts http to loopback for the local capture server', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'http://127.0.0.1:4599/services/T/B/X' });

    await expect(source().get()).resolves.toBe('http://127.0.0.1:4599/services/T/B/X');
  });

  it('maps access denied to a terminal AccessDeniedError', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized',
      }),
    );

    await expect(source().get()).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
