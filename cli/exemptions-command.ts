import {
  describeExemptControls,
  describeExemptionStatus,
  EXPIRY_WARNING_DAYS,
  exemptionStatus,
  expiryOf,
} from '#shared/policy/exemptions.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { renderTable } from './output.ts';

/** One exemption as `warden exemptions --json` prints it. */
export interface ExemptionRow {
  readonly bucket: string;
  /** The control ids it covers, or `all`. */
  readonly controls: readonly string[] | 'all';
  readonly reason: string;
  /** As written in the policy file; null without expiry. */
  readonly expires: string | null;
  /** The instant it stops applying; null without expiry. */
  readonly expiresAt: string | null;
  readonly status: 'active' | 'expiring' | 'expired';
  /** `active`, `expires in 3 days`, `expired`. */
  readonly statusText: string;
}

/** Every exemption of the policy with its status at `now`, in the policy file's order. */
export function exemptionRows(policy: Policy, now: Date): readonly ExemptionRow[] {
  return policy.s3.exemptBuckets.map((exemption) => {
    const status = exemptionStatus(exemption, now);
    return {
      bucket: exemption.bucket,
      controls: exemption.controls ?? 'all',
      reason: exemption.reason,
      expires: exemption.expires ?? null,
      expiresAt: expiryOf(exemption)?.toISOString() ?? null,
      status: status.kind,
      statusText: describeExemptionStatus(status),
    };
  });
}

/**
 * `warden exemptions [--json]`: the policy file's exemptions, what each covers, why, until when, and
 * whether it applies now. Exit 0: an expired exemption is not an error (Warden just guards the bucket again).
 */
export function listExemptions(policy: Policy, now: Date, options: { readonly json: boolean }): number {
  const rows = exemptionRows(policy, now);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write('No exemptions: Warden guards every bucket with every active control.\n');
    return 0;
  }
  const table = renderTable(
    ['BUCKET', 'CONTROLS', 'EXPIRES', 'STATUS', 'REASON'],
    policy.s3.exemptBuckets.map((exemption, index) => [
      exemption.bucket,
      describeExemptControls(exemption),
      exemption.expires ?? 'never',
      rows[index]?.statusText ?? '',
      exemption.reason,
    ]),
  );
  const expired = rows.filter((row) => row.status === 'expired').length;
  const expiring = rows.filter((row) => row.status === 'expiring').length;
  const notes = [
    ...(expiring > 0
      ? [
          `${expiring} expire${expiring === 1 ? 's' : ''} within ${EXPIRY_WARNING_DAYS} days: renew (a later expires) or remove.`,
        ]
      : []),
    ...(expired > 0
      ? [
          `${expired} expired: no longer applied; Warden guards those buckets again. Remove ${expired === 1 ? 'it' : 'them'} from s3.exemptBuckets.`,
        ]
      : []),
  ];
  process.stdout.write(`${table}\n${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}`);
  return 0;
}
