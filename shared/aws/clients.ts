import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, MiddlewareStack } from '@smithy/types';

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

/** The common part of every client's configuration. */
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

/** The services Warden calls, as named in call logs and fault rules. */
export type AwsService =
  | 'cloudtrail'
  | 'dynamodb'
  | 'events'
  | 'iam'
  | 'kms'
  | 'organizations'
  | 's3'
  | 's3control'
  | 'secretsmanager'
  | 'securityhub'
  | 'sns'
  | 'sqs'
  | 'sts';

/** Any SDK v3 client: what a `WrapClient` hook may instrument. */
export interface AwsClient {
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input/output types.
  readonly middlewareStack: MiddlewareStack<any, any>;
}

/**
 * Runs on every client the factory builds, lazily loaded ones included: tests and the benchmark
 * attach fault injection and call recording here, so they run the functions' own wiring.
 */
export type WrapClient = <Client extends AwsClient>(client: Client, service: AwsService) => Client;

type ClientClass<Client> = new (config: ReturnType<typeof clientConfig>) => Client;
type Sendable = AwsClient & { send(...args: never[]): Promise<unknown> };

/** Config per service: S3 and S3 Control need their own addressing against an emulator. */
function configFor(service: AwsService, target: AwsTarget) {
  if (service === 's3') return s3ClientConfig(target);
  if (service === 's3control') return s3ControlClientConfig(target);
  return clientConfig(target);
}

/**
 * The one client factory. Each caller passes the client classes it needs (`make(S3Client, 's3')`),
 * so a function bundle carries no SDK it does not call; `lazy` loads a client's SDK module only on
 * its first call (a separate chunk of the bundle), for what an event rarely needs.
 */
export interface ClientFactory {
  readonly target: AwsTarget;
  make<Client extends AwsClient>(Client: ClientClass<Client>, service: AwsService): Client;
  lazy<Client extends Sendable>(
    load: () => Promise<ClientClass<Client>>,
    service: AwsService,
  ): Pick<Client, 'send'>;
  /** The same settings and hook for another region, or another account's credentials. */
  with(overrides: Partial<AwsTarget>): ClientFactory;
}

const asIs: WrapClient = (client) => client;

export function clientFactory(target: AwsTarget, wrapClient: WrapClient = asIs): ClientFactory {
  const make = <Client extends AwsClient>(Client: ClientClass<Client>, service: AwsService) =>
    wrapClient(new Client(configFor(service, target)), service);
  return {
    target,
    make,
    lazy<Client extends Sendable>(load: () => Promise<ClientClass<Client>>, service: AwsService) {
      let client: Promise<Client> | undefined;
      const built = () => {
        if (!client) {
          client = load().then((Client) => make(Client, service));
          // A failed load (e.g. a missing chunk) is not cached: the next call tries again.
          client.catch(() => {
            client = undefined;
          });
        }
        return client;
      };
      const send = async (...args: never[]) => (await built()).send(...args);
      return { send } as Pick<Client, 'send'>;
    },
    with(overrides) {
      const defined = Object.entries(overrides).filter(([, value]) => value !== undefined);
      return clientFactory({ ...target, ...Object.fromEntries(defined) }, wrapClient);
    },
  };
}
