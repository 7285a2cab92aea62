import * as z from 'zod/mini';

/**
 * The sweep's units of work, as they travel on the sweep queue (SQS FIFO, one message group per account,
 * so one account is worked on by one item at a time) or the CLI's in-process queue. Each item is small
 * and bounded: a page of a bucket listing, a batch of buckets, or an account's own settings.
 */
const accountId = z.string().check(z.regex(/^\d{12}$/));
const region = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/));
const sweepId = z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/));
/** When the sweep started: the time its audit records and digest carry. */
const startedAt = z.iso.datetime();
const where = { sweepId, startedAt, accountId, region };

/** Buckets per batch item: small enough for one Lambda run at the per-account cap, large enough to amortise. */
export const BUCKETS_PER_ITEM = 50;

export const SweepWorkItemSchema = z.discriminatedUnion('kind', [
  /** List one page of the account's buckets in the region; the next page is another item. */
  z.strictObject({
    kind: z.literal('list'),
    ...where,
    page: z.number().check(z.int(), z.nonnegative()),
    continuationToken: z.optional(z.string()),
  }),
  /** Judge (and repair, per the policy) a batch of buckets. */
  z.strictObject({
    kind: z.literal('buckets'),
    ...where,
    buckets: z.array(z.string().check(z.minLength(1), z.maxLength(255))).check(z.minLength(1)),
  }),
  /** The account's own settings: account-level Block Public Access and root access keys. */
  z.strictObject({ kind: z.literal('account'), ...where }),
]);
export type SweepWorkItem = z.infer<typeof SweepWorkItemSchema>;

/** A stable key per item: it names the item's ledger entries and de-duplicates its queue message. */
export function workItemKey(item: SweepWorkItem): string {
  const base = `${item.accountId}#${item.region}#${item.kind}`;
  switch (item.kind) {
    case 'list':
      return `${base}#${item.page}`;
    case 'buckets':
      return `${base}#${item.buckets[0]}#${item.buckets.length}`;
    case 'account':
      return base;
  }
}

/** The items that start a sweep of one account: its account settings (once) and each region's listing. */
export function startItems(
  sweep: { readonly sweepId: string; readonly startedAt: string },
  account: { readonly accountId: string; readonly regions: readonly string[] },
): SweepWorkItem[] {
  const base = { sweepId: sweep.sweepId, startedAt: sweep.startedAt, accountId: account.accountId };
  const [home] = account.regions;
  return [
    ...(home ? [{ kind: 'account' as const, ...base, region: home }] : []),
    ...account.regions.map((name) => ({ kind: 'list' as const, ...base, region: name, page: 0 })),
  ];
}
