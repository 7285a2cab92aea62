import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { callAws } from '#shared/errors/errors.ts';
import type { AccountState, AccountStatePart } from '#shared/model/account.ts';
import { NONE_BLOCKED, publicAccessBlockOf } from '#shared/model/bucket.ts';

export interface AccountStateDeps {
  /** Build it with `s3ControlClientConfig` so it reaches a local emulator too. */
  readonly s3Control: Pick<S3ControlClient, 'send'>;
}

const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;

async function readAccountPublicAccessBlock(deps: AccountStateDeps, accountId: string) {
  // Loaded on demand: most events concern a bucket, and S3 Control stays off the cold start.
  const { GetPublicAccessBlockCommand } = await import('#shared/aws/on-demand/s3-control.ts');
  try {
    const output = await deps.s3Control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }));
    const config = output.PublicAccessBlockConfiguration ?? {};
    return publicAccessBlockOf(config);
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') return NONE_BLOCKED;
    throw error;
  }
}

/** Reads the requested parts of the account's S3 settings through S3 Control (`AccountId` addressed). */
export async function readAccountState(
  deps: AccountStateDeps,
  accountId: string,
  parts: ReadonlySet<AccountStatePart>,
): Promise<AccountState> {
  return callAws(`reading the S3 settings of account ${accountId}`, async () => {
    const publicAccessBlock = parts.has('publicAccessBlock')
      ? await readAccountPublicAccessBlock(deps, accountId)
      : undefined;
    return { accountId, ...(publicAccessBlock ? { publicAccessBlock } : {}) };
  });
}
