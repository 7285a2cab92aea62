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
