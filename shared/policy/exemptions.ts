import type { ControlId } from '#shared/contracts/controls.ts';
import { type BucketLocation, matchesBucketGlob } from '#shared/s3/bucket-glob.ts';
import { DATE_ONLY } from './exemption-schema.ts';
import type { Policy } from './schema.ts';

/**
 * Pure judgements over the policy's exemptions (`s3.exemptBuckets`), all against a `now` the caller passes
 * (the guard's injected clock, the sweep's start): which apply to a bucket, which have expired (they stop
 * applying on their own), which expire within a week (the sweep's daily digest and the guard's log warn).
 */

export type BucketExemption = Policy['s3']['exemptBuckets'][number];

/** Warden warns this many days before an exemption expires. */
export const EXPIRY_WARNING_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** When the exemption stops applying: the end of its `expires` day (UTC), or the instant it names. */
export function expiryOf(exemption: BucketExemption): Date | undefined {
  if (exemption.expires === undefined) return undefined;
  return DATE_ONLY.test(exemption.expires)
    ? new Date(Date.parse(`${exemption.expires}T00:00:00Z`) + DAY_MS)
    : new Date(exemption.expires);
}

export type ExemptionStatus =
  /** No expiry, or more than a week left. */
  | { readonly kind: 'active' }
  /** Expires within EXPIRY_WARNING_DAYS; `daysLeft` whole days (0: within a day). */
  | { readonly kind: 'expiring'; readonly expiresAt: string; readonly daysLeft: number }
  | { readonly kind: 'expired'; readonly expiredAt: string };

export function exemptionStatus(exemption: BucketExemption, now: Date): ExemptionStatus {
  const expiresAt = expiryOf(exemption);
  if (!expiresAt) return { kind: 'active' };
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return { kind: 'expired', expiredAt: expiresAt.toISOString() };
  if (left > EXPIRY_WARNING_DAYS * DAY_MS) return { kind: 'active' };
  return { kind: 'expiring', expiresAt: expiresAt.toISOString(), daysLeft: Math.floor(left / DAY_MS) };
}

/** `active`, `expires in 3 days`, `expires within a day`, `expired`. */
export function describeExemptionStatus(status: ExemptionStatus): string {
  if (status.kind === 'active') return 'active';
  if (status.kind === 'expired') return 'expired';
  if (status.daysLeft === 0) return 'expires within a day';
  return `expires in ${status.daysLeft} day${status.daysLeft === 1 ? '' : 's'}`;
}

/** `all bucket controls`, or the ids it names. */
export const describeExemptControls = (exemption: BucketExemption): string =>
  exemption.controls ? exemption.controls.join(', ') : 'all bucket controls';

export const exemptsControl = (exemption: BucketExemption, controlId: ControlId): boolean =>
  exemption.controls === undefined || exemption.controls.includes(controlId);

/** An exemption that expires within the week, with its place in `s3.exemptBuckets`. */
export interface ExpiringExemption {
  readonly exemption: BucketExemption;
  /** Its index in `s3.exemptBuckets`. */
  readonly index: number;
  readonly expiresAt: string;
  readonly daysLeft: number;
}

/**
 * The exemptions of the policy that expire within EXPIRY_WARNING_DAYS of `now` (not those already expired),
 * soonest first: what the sweep's daily digest warns about.
 */
export function exemptionsExpiringSoon(policy: Policy, now: Date): readonly ExpiringExemption[] {
  return policy.s3.exemptBuckets
    .flatMap((exemption, index) => {
      const status = exemptionStatus(exemption, now);
      return status.kind === 'expiring'
        ? [{ exemption, index, expiresAt: status.expiresAt, daysLeft: status.daysLeft }]
        : [];
    })
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

/** The exemptions whose pattern names the bucket: those that apply now, and those that have expired. */
export interface BucketExemptions {
  readonly applying: readonly BucketExemption[];
  readonly expired: readonly BucketExemption[];
}

export function exemptionsOf(
  bucket: string,
  policy: Policy,
  location: BucketLocation,
  now: Date,
): BucketExemptions {
  const matching = policy.s3.exemptBuckets.filter((exemption) =>
    matchesBucketGlob(bucket, exemption.bucket, location),
  );
  const expired = matching.filter((exemption) => exemptionStatus(exemption, now).kind === 'expired');
  return { applying: matching.filter((exemption) => !expired.includes(exemption)), expired };
}

/** True when an applying exemption covers every bucket control (the bucket is never touched nor alerted on). */
export const exemptFromAll = (exemptions: BucketExemptions): boolean =>
  exemptions.applying.some((exemption) => exemption.controls === undefined);

/** Whether an applying exemption covers the control. */
export const isExemptFrom = (exemptions: BucketExemptions, controlId: ControlId): boolean =>
  exemptions.applying.some((exemption) => exemptsControl(exemption, controlId));
