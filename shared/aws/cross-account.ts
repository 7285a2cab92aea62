import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { callAws } from '#shared/errors/errors.ts';
import type { Clock } from '#shared/observability/observability.ts';

/** Which account and region an event's resource lives in, and the event (for the session name). */
export interface ClientsRequest {
  readonly accountId: string;
  readonly region: string;
  readonly eventId: string;
}

/** Temporary credentials with their expiry, as STS returns them. */
export interface TemporaryCredentials extends AwsCredentialIdentity {
  readonly expiration: Date;
}

export type AssumeRole = (input: {
  readonly roleArn: string;
  readonly sessionName: string;
}) => Promise<TemporaryCredentials>;

/** Where a set of clients works: one account (whose resources they reach) and one region. */
export interface ClientsTarget {
  readonly accountId: string;
  readonly region: string;
}

/** Builds the clients for one account and region, with the given credentials or, when undefined, the function's own. */
export type BuildClients<Clients> = (
  target: ClientsTarget,
  credentials?: () => Promise<AwsCredentialIdentity>,
) => Clients;

export interface CrossAccountOptions<Clients> {
  /** The account the function runs in: its resources are reached with the function's own role. */
  readonly ownAccountId: string;
  readonly partition: string;
  /** The member role to assume (organization mode); undefined means account mode: own credentials only. */
  readonly memberRoleName?: string;
  readonly assumeRole: AssumeRole;
  readonly buildClients: BuildClients<Clients>;
  readonly clock: Pick<Clock, 'now'>;
  /** Credentials are renewed this long before they expire, so an event never runs on the edge. */
  readonly refreshMarginMs?: number;
}

/** Longer than a guard's timeout (60 s): credentials handed to a running event stay valid throughout. */
export const CREDENTIALS_REFRESH_MARGIN_MS = 5 * 60_000;

/** STS accepts `[\w+=,.@-]{2,64}`; the event id prefix ties the member account's CloudTrail entry to the event. */
export function sessionNameFor(eventId: string): string {
  const safe = eventId.replace(/[^\w+=,.@-]/g, '').slice(0, 36);
  return `warden-${safe || 'event'}`;
}

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The account id and partition of an IAM ARN (e.g. one of the function's own role ARNs). */
export function accountOfArn(arn: string): { readonly partition: string; readonly accountId: string } {
  const match = /^arn:(aws[a-z-]*):[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn);
  if (!match?.[1] || !match[2]) throw new Error(`Not an ARN with an account id: ${arn}`);
  return { partition: match[1], accountId: match[2] };
}

/**
 * Clients for the account and region an event concerns, built once and cached for the life of the
 * container: the function's own credentials for its own account (and always in account mode); for
 * any other account, the member role assumed through STS, its credentials cached per account and
 * renewed shortly before they expire. Concurrent events for one account share one AssumeRole call.
 */
export function crossAccountClients<Clients>(options: CrossAccountOptions<Clients>) {
  const margin = options.refreshMarginMs ?? CREDENTIALS_REFRESH_MARGIN_MS;
  const clients = new Map<string, Clients>();
  const credentials = new Map<string, Promise<TemporaryCredentials>>();

  const fresh = (value: TemporaryCredentials) =>
    value.expiration.getTime() - margin > options.clock.now().getTime();

  async function credentialsFor(accountId: string, roleName: string, eventId: string) {
    const cached = credentials.get(accountId);
    if (cached) {
      const value = await cached.catch(() => undefined);
      if (value && fresh(value)) return value;
      // A failed or stale entry is replaced by this caller (unless another already did).
      if (credentials.get(accountId) !== cached) return credentialsFor(accountId, roleName, eventId);
    }
    const roleArn = memberRoleArn(options.partition, accountId, roleName);
    const pending = callAws(`assuming ${roleArn}`, () =>
      options.assumeRole({ roleArn, sessionName: sessionNameFor(eventId) }),
    );
    credentials.set(accountId, pending);
    pending.catch(() => {
      if (credentials.get(accountId) === pending) credentials.delete(accountId);
    });
    return pending;
  }

  return async function clientsFor(request: ClientsRequest): Promise<Clients> {
    const own = request.accountId === options.ownAccountId || options.memberRoleName === undefined;
    const key = `${own ? 'own' : request.accountId}|${request.region}`;
    if (!own) {
      // Fails here (not on the first S3 call) when the member role cannot be assumed.
      await credentialsFor(request.accountId, options.memberRoleName as string, request.eventId);
    }
    let built = clients.get(key);
    if (!built) {
      const roleName = options.memberRoleName as string;
      built = own
        ? options.buildClients({ accountId: options.ownAccountId, region: request.region })
        : options.buildClients({ accountId: request.accountId, region: request.region }, () =>
            credentialsFor(request.accountId, roleName, request.eventId),
          );
      clients.set(key, built);
    }
    return built;
  };
}

export type ClientsFor<Clients> = (request: ClientsRequest) => Promise<Clients>;

/**
 * `AssumeRole` through STS (a regional endpoint: the client's region). One hour, the default role
 * maximum. The STS SDK is loaded on the first call: only organization mode's member accounts need it.
 */
export function stsAssumeRole(sts: Pick<STSClient, 'send'>, durationSeconds = 3_600): AssumeRole {
  return async ({ roleArn, sessionName }) => {
    const { AssumeRoleCommand } = await import('./on-demand/sts.ts');
    const output = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: durationSeconds,
      }),
    );
    const value = output.Credentials;
    if (!value?.AccessKeyId || !value.SecretAccessKey || !value.Expiration)
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return {
      accessKeyId: value.AccessKeyId,
      secretAccessKey: value.SecretAccessKey,
      ...(value.SessionToken ? { sessionToken: value.SessionToken } : {}),
      expiration: value.Expiration,
    };
  };
}
