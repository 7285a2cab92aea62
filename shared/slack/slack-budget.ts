/**
 * How many alerts may still go to Slack one by one in the current time window. Shared by every
 * notify-slack invocation (two run at once, batch after batch), so a storm spread over many batches
 * (an IaC run creating 500 buckets over ten minutes) costs Slack a bounded number of alert messages,
 * not a handful per batch. Alarms and digests are not counted: alarms are never held back, and a
 * batch sends at most one digest.
 */
export interface SlackBudget {
  /**
   * Asks for `wanted` individual alert messages in the window holding `at` and answers how many
   * were granted (0 to `wanted`). Throws when the budget cannot be read or updated: the caller then
   * falls back to the per-batch plan, so no alert is lost.
   */
  take(wanted: number, at: Date): Promise<BudgetGrant>;
}

export interface BudgetGrant {
  readonly granted: number;
  /** The window's start, ISO 8601: the counter's key, and a log field. */
  readonly window: string;
  /** Individual messages asked for in this window so far, this request included. */
  readonly used: number;
}

export interface BudgetLimits {
  /** Individual alert messages per window. */
  readonly messages: number;
  readonly windowMs: number;
}

/**
 * 10 alert messages per 5 minutes per webhook (one webhook per deployment). Ten is about what a
 * person reads in a channel before skimming, and twice the per-batch limit, so an ordinary burst
 * (a few alerts in one or two batches) still arrives alert by alert. Five minutes spans the 20 s
 * batching window many times over (a storm shares one budget) and matches the period of Warden's
 * alarms; Slack's own limit (about one message per second) is far above either.
 */
export const SLACK_BUDGET: BudgetLimits = { messages: 10, windowMs: 5 * 60_000 };

/** The counter outlives its window briefly (DynamoDB TTL deletes it later still); no window reuses it. */
export const BUDGET_EXPIRY_AFTER_WINDOW_S = 60;

/** Every budget counter's key starts with this (the notify-slack role may touch no other item). */
export const BUDGET_KEY_PREFIX = 'slack-budget#';

export interface BudgetWindow {
  readonly start: Date;
  readonly end: Date;
}

/** The fixed window holding `at`: windows start at multiples of `windowMs` since the epoch. Pure. */
export function budgetWindow(at: Date, windowMs: number): BudgetWindow {
  const start = Math.floor(at.getTime() / windowMs) * windowMs;
  return { start: new Date(start), end: new Date(start + windowMs) };
}

/** The counter's key: `slack-budget#<window start, ISO 8601>`. Pure. */
export function budgetKey(window: BudgetWindow): string {
  return `${BUDGET_KEY_PREFIX}${window.start.toISOString()}`;
}

/** The counter's TTL attribute: epoch seconds, just after the window ends. Pure. */
export function budgetExpiration(window: BudgetWindow): number {
  return Math.floor(window.end.getTime() / 1_000) + BUDGET_EXPIRY_AFTER_WINDOW_S;
}

/**
 * What a request gets once the counter, added to atomically, reads `usedAfter`: the part of
 * `wanted` that fits under `limit` after everything asked for before it. Concurrent requests each
 * see their own total, so together they are never granted more than `limit`. Pure.
 */
export function grantOf(usedAfter: number, wanted: number, limit: number): number {
  const before = usedAfter - wanted;
  return Math.max(0, Math.min(wanted, limit - before));
}
