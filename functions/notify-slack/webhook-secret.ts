import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { callAws } from '#shared/errors/errors.ts';
import { WebhookSecretError } from './errors.ts';

/** Where notify-slack gets the webhook URL: read on first use, kept for the container's life. */
export interface WebhookUrlSource {
  get(): Promise<string>;
  /** Drops the cached URL (Slack said the webhook is gone): the next `get` reads the secret again. */
  forget(): void;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The secret holds the webhook URL as plain text, or JSON `{"url": "..."}`. Only https, or http to
 * a loopback address (local mode's capture server). Messages never contain the value.
 */
export function parseWebhookUrl(value: string | undefined, secretId: string): string {
  const raw = value?.trim() ?? '';
  if (!raw) {
    throw new WebhookSecretError(
      `The Slack webhook secret ${secretId} is empty: store the incoming-webhook URL in it`,
    );
  }
  let candidate = raw;
  if (raw.startsWith('{')) {
    try {
      const json = JSON.parse(raw) as { url?: unknown };
      candidate = typeof json.url === 'string' ? json.url.trim() : '';
    } catch {
      candidate = '';
    }
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new WebhookSecretError(
      `The Slack webhook secret ${secretId} does not hold a URL (plain text, or JSON {"url": "..."})`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new WebhookSecretError(`The Slack webhook secret ${secretId} must hold an https URL`);
  }
  return candidate;
}

export function secretsManagerWebhookUrl(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
): WebhookUrlSource {
  let cached: Promise<string> | undefined;

  async function read(): Promise<string> {
    try {
      const output = await callAws(`reading the Slack webhook secret ${secretId}`, () =>
        client.send(new GetSecretValueCommand({ SecretId: secretId })),
      );
      return parseWebhookUrl(output.SecretString, secretId);
    } catch (error) {
      // A secret created without a value has no AWSCURRENT version yet: same fix as an empty one.
      if ((error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException') {
        throw new WebhookSecretError(
          `The Slack webhook secret ${secretId} has no value (or does not exist): store the incoming-webhook URL in it`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  return {
    get() {
      // Failures are not cached: the next invocation reads again, once someone has fixed the secret.
      cached ??= read().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    forget() {
      cached = undefined;
    },
  };
}
