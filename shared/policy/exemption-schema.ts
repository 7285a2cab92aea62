import * as z from 'zod/mini';
import { CONTROL_IDS, type ControlId } from '#shared/contracts/controls.ts';
import { bucketGlobProblem } from '#shared/s3/bucket-glob.ts';

/**
 * One entry of `s3.exemptBuckets`: which buckets, from which controls, why, and until when. An exemption is
 * a hole in the guard, so each one says why it exists and may say when it ends; Warden stops applying it on
 * its own once it has expired (./exemptions.ts).
 */

/**
 * A bucket name or a glob (`*`, `?`, `[...]`, `{account}`, `{region}`) such as
 * `cdk-hnb659fds-assets-{account}-{region}`. Legacy us-east-1 names may hold upper-case letters and `_`.
 * Compiled with the guard's own matcher: a glob the guard could not use never gets past the schema.
 */
const bucketPattern = z.string().check(
  z.minLength(1),
  z.maxLength(255),
  z.regex(/^[A-Za-z0-9._\-*?[\]!{}]+$/, 'must be a bucket name or a glob over bucket names'),
  z.superRefine((pattern, context) => {
    const problem = bucketGlobProblem(pattern);
    if (problem) context.addIssue({ code: 'custom', message: `"${pattern}" ${problem}`, input: pattern });
  }),
);

/** Controls over the account's own settings or the root user: no bucket can be exempt from them. */
const NOT_BUCKET_CONTROLS: ReadonlySet<ControlId> = new Set([
  's3-account-public-access-block',
  'root-access-key',
  'root-console-sign-in',
]);

/** The controls an exemption may name: the bucket controls (a test keeps this equal to the registry's). */
export const EXEMPTIBLE_CONTROL_IDS = CONTROL_IDS.filter(
  (id) => id.startsWith('s3-') && !NOT_BUCKET_CONTROLS.has(id),
) as [ControlId, ...ControlId[]];

/** `2027-01-31` (applies through that day, UTC) or an instant with its offset, `2027-01-31T18:00:00Z`. */
export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function expiryProblem(value: string): string | undefined {
  if (DATE_ONLY.test(value)) {
    // `2027-02-30` parses (as 2 March): the date must read back as written.
    const time = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value
      ? `"${value}" is not a calendar date`
      : undefined;
  }
  if (!DATE_TIME.test(value))
    return `must be an ISO date such as 2027-01-31 (the exemption applies through that day, UTC) or a date-time with its offset such as 2027-01-31T18:00:00Z, not "${value}"`;
  return Number.isNaN(Date.parse(value)) ? `"${value}" is not a valid date-time` : undefined;
}

const expiry = z.string().check(
  z.superRefine((value, context) => {
    const problem = expiryProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem, input: value });
  }),
);

const exemptionObject = z.strictObject({
  /** A bucket name or glob, as before. */
  bucket: bucketPattern,
  /** The controls it covers; omitted: every bucket control. */
  controls: z.optional(
    z
      .array(
        z.enum(EXEMPTIBLE_CONTROL_IDS, {
          error: (issue) =>
            `${JSON.stringify(issue.input)} is not a bucket control; expected one of ${EXEMPTIBLE_CONTROL_IDS.join(', ')}`,
        }),
      )
      .check(z.minLength(1, 'names no control: omit `controls` to exempt the bucket from every control')),
  ),
  /** Why the bucket is exempt: shown by `warden exemptions` and in the logs. */
  reason: z
    .string({ error: 'is required: say why the bucket is exempt (who asked, which ticket)' })
    .check(z.trim(), z.minLength(1, 'is required: say why the bucket is exempt (who asked, which ticket)')),
  /** When it stops applying. */
  expires: z.optional(expiry),
});

export type ExemptionInput = z.input<typeof exemptionObject>;

/**
 * An exemption entry. A plain bucket name (the form before exemptions carried a reason) is refused with
 * the entry to write instead, at the entry's own path (`s3.exemptBuckets[0]`).
 */
export const exemptionEntry = z.pipe(
  z.transform((value: ExemptionInput | string, context) => {
    if (typeof value !== 'string') return value;
    context.issues.push({
      code: 'custom',
      message: `a plain bucket name is no longer enough: write { bucket: "${value}", reason: "<why it is exempt>" } (optionally controls: [<ids>] and expires: <YYYY-MM-DD>)`,
      input: value,
    });
    return z.NEVER;
  }),
  exemptionObject,
);
