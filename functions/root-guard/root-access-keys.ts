import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientConfig } from '#shared/aws/clients.ts';
import { callAws, ResourceGoneError } from '#shared/errors/errors.ts';

/** An IAM client acting as the root session of a member account. */
export type RootIamClient = Pick<IAMClient, 'send'>;
export type RootIamClientFactory = (credentials: AwsCredentialIdentity) => RootIamClient;

/**
 * IAM is global (one endpoint whatever the region); in local mode `endpoint` (or `AWS_ENDPOINT_URL`)
 * points it at the emulator. Built per root session, since the credentials are per session.
 */
export function rootIamClientFactory(region: string, endpoint?: string): RootIamClientFactory {
  return (credentials) =>
    new IAMClient(clientConfig({ region, credentials, ...(endpoint ? { endpoint } : {}) }));
}

export interface RootAccessKey {
  readonly accessKeyId: string;
  readonly status: string;
}

export interface RootKeyDeletion {
  /** DELETED: gone on read-back. ALREADY_GONE: not there before Warden acted. STILL_PRESENT: read-back still lists it. */
  readonly result: 'DELETED' | 'ALREADY_GONE' | 'STILL_PRESENT';
  readonly before: readonly RootAccessKey[];
  readonly after: readonly RootAccessKey[];
}

/** With no `UserName`, ListAccessKeys in a root session lists the root user's own keys. */
export async function listRootAccessKeys(iam: RootIamClient, accountId: string): Promise<RootAccessKey[]> {
  const keys: RootAccessKey[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws(`listing the root user's access keys in account ${accountId}`, () =>
      iam.send(new ListAccessKeysCommand(marker ? { Marker: marker } : {})),
    );
    for (const key of page.AccessKeyMetadata ?? []) {
      if (key.AccessKeyId) keys.push({ accessKeyId: key.AccessKeyId, status: key.Status ?? 'Unknown' });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return keys;
}

const holds = (keys: readonly RootAccessKey[], accessKeyId: string) =>
  keys.some((key) => key.accessKeyId === accessKeyId);

/** List, delete (no `UserName`: the root user's key), list again. Idempotent: a missing key is no error. */
export async function deleteRootAccessKey(
  iam: RootIamClient,
  accountId: string,
  accessKeyId: string,
): Promise<RootKeyDeletion> {
  const before = await listRootAccessKeys(iam, accountId);
  if (!holds(before, accessKeyId)) return { result: 'ALREADY_GONE', before, after: before };
  try {
    await callAws(`deleting root access key ${accessKeyId} in account ${accountId}`, () =>
      iam.send(new DeleteAccessKeyCommand({ AccessKeyId: accessKeyId })),
    );
  } catch (error) {
    // Deleted by someone else between the list and the delete: the outcome is the same.
    if (!(error instanceof ResourceGoneError)) throw error;
  }
  const after = await listRootAccessKeys(iam, accountId);
  return { result: holds(after, accessKeyId) ? 'STILL_PRESENT' : 'DELETED', before, after };
}
