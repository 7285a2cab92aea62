import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';

/** BatchImportFindings takes at most 100 findings a call (Security Hub API reference). */
export const MAX_FINDINGS_PER_CALL = 100;
/** Attempts per batch when Security Hub throttles (on top of the client's own retries). */
export const IMPORT_ATTEMPTS = 4;
const BASE_DELAY_MS = 200;

/** Errors Security Hub (and the SDK) use to say "slow down". */
const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);

export interface FailedFinding {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** What an import came to: the ids Security Hub took, and those it did not (with why). Never thrown. */
export interface ImportResult {
  readonly imported: readonly string[];
  readonly failed: readonly FailedFinding[];
}

export type FindingsImporter = (findings: readonly AwsSecurityFinding[]) => Promise<ImportResult>;

const nameOf = (error: unknown) => (error as { name?: string } | null)?.name ?? 'Error';
const messageOf = (error: unknown) => (error as Error | null)?.message ?? String(error);

export const defaultSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/**
 * Imports findings in batches of 100, one batch after another (Security Hub's import rate is low), retrying
 * a throttled batch with exponential backoff and jitter. A batch that still fails, and every finding
 * Security Hub lists in FailedFindings, is reported as failed: the caller logs, counts and alarms;
 * nothing here throws, so an import never blocks a repair.
 */
export function securityHubImporter(
  client: Pick<SecurityHubClient, 'send'>,
  options: { readonly sleep?: (milliseconds: number) => Promise<void>; readonly random?: () => number } = {},
): FindingsImporter {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  async function importBatch(batch: readonly AwsSecurityFinding[]): Promise<ImportResult> {
    const ids = batch.map((finding) => finding.Id ?? '');
    const { BatchImportFindingsCommand } = await import('#shared/aws/on-demand/securityhub.ts');
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await client.send(new BatchImportFindingsCommand({ Findings: [...batch] }));
        const failed = (output.FailedFindings ?? []).map((finding) => ({
          id: finding.Id ?? '',
          code: finding.ErrorCode ?? 'Unknown',
          message: finding.ErrorMessage ?? '',
        }));
        const failedIds = new Set(failed.map((finding) => finding.id));
        return { imported: ids.filter((id) => !failedIds.has(id)), failed };
      } catch (error) {
        if (THROTTLING.has(nameOf(error)) && attempt < IMPORT_ATTEMPTS) {
          // Full jitter: 0..base·2^attempt, so concurrent functions do not retry in step.
          await sleep(Math.round(random() * BASE_DELAY_MS * 2 ** attempt));
          continue;
        }
        const code = nameOf(error);
        return { imported: [], failed: ids.map((id) => ({ id, code, message: messageOf(error) })) };
      }
    }
  }

  return async (findings) => {
    const imported: string[] = [];
    const failed: FailedFinding[] = [];
    for (let start = 0; start < findings.length; start += MAX_FINDINGS_PER_CALL) {
      const result = await importBatch(findings.slice(start, start + MAX_FINDINGS_PER_CALL));
      imported.push(...result.imported);
      failed.push(...result.failed);
    }
    return { imported, failed };
  };
}
