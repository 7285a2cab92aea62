import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** How Warden reaches AWS: the real regional endpoints, or a local emulator in local mode and tests. */
export interface AwsTarget {
  readonly region: string;
  /** Endpoint override (local emulator). Defaults to `AWS_ENDPOINT_URL` when set. */
  readonly endpoint?: string;
  /** Credentials for another account (organization mode); defaults to the function's own role. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Explicit retry and timeout settings for every client: no SDK defaults left implicit. */
export const CLIENT_RETRY = { maxAttempts: 3, retryMode: 'standard' } as const;
export const CLIENT_TIMEOUTS = { connectionTimeout: 2_000, requestTimeout: 8_000 } as const;

export function endpointOf(target: AwsTarget): string | undefined {
  return target.endpoint ?? process.env.AWS_ENDPOINT_URL ?? undefined;
}

/**
 * The common part of every client's configuration. Each caller constructs only the clients it
 * needs (`new S3Client(clientConfig(target))`), so a function bundle carries no unused SDK.
 */
export function clientConfig(target: AwsTarget) {
  const endpoint = endpointOf(target);
  return {
    region: target.region,
    ...(endpoint ? { endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    ...CLIENT_RETRY,
    requestHandler: { ...CLIENT_TIMEOUTS },
  };
}

/** S3 against a local emulator on localhost needs path-style addressing. */
export function s3ClientConfig(target: AwsTarget) {
  const base = clientConfig(target);
  return { ...base, forcePathStyle: base.endpoint !== undefined };
}

/**
 * S3 Control prefixes the account id to the host (`123456789012.s3-control.<region>.amazonaws.com`);
 * against a local emulator that name does not resolve. With an endpoint override, every request goes
 * to the plain endpoint instead (the account id still travels in the `x-amz-account-id` header).
 */
export function s3ControlClientConfig(
  target: AwsTarget,
): ReturnType<typeof clientConfig> & { endpointProvider?: () => { url: URL } } {
  const base = clientConfig(target);
  const endpoint = base.endpoint;
  if (endpoint === undefined) return base;
  return { ...base, endpointProvider: () => ({ url: new URL(endpoint) }) };
}
