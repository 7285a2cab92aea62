/**
 * How many alerts may still go to Slack one by one: at most `messages` in any span of `windowMs`
 * (a sliding window, so a storm straddling a clock boundary gets one budget, not two). Shared by
 * every notify-slack invocation (two run at once, batch after batch), so a storm spread over many
 * batches (an IaC run creating 500 buckets over ten minutes) costs Slack a bounded number of alert
 * messages, not a handful per batch. Alarms and digests are not counted: alarms are never held back,
 * and a batch sends at most one digest.
 */
export interface SlackBudget {
  /**
   * Asks for `wanted` individual alert messages at `at` and answers how many were granted (0 to
   * `wanted`). Throws when the budget cannot be read or updated: the caller then falls back to the
   * per-batch plan, so no alert is lost.
   */
  take(wanted: number, at: Date): Promise<BudgetGrant>;
}

export interface BudgetGrant {
  readonly granted: number;
  /** Individual messages granted in the span before this request (`since` to `at`). */
  readonly sent: number;
  /** The span's start, ISO 8601: `at` minus the window (a log field). */
  readonly since: string;
}

export interface BudgetLimits {
  /** Individual alert messages in any span of `windowMs`. */
  readonly messages: number;
  readonly windowMs: number;
}

/**
 * 10 alert messages in any 5 minutes per webhook (one webhook per deployment). Ten is about what a
 * person reads in a channel before skimming, and twice the per-batch limit, so an ordinary burst
 * (a few alerts in one or two batches) still arrives alert by alert. Five minutes spans the 20 s
 * batching window many times over (a storm shares one budget) and matches the period of Warden's
 * alarms; Slack's own limit (about one message per second) is far above either.
 */
export const SLACK_BUDGET: BudgetLimits = { messages: 10, windowMs: 5 * 60_000 };

/** Every budget item's key starts with this (the notify-slack role may touch no other item). */
export const BUDGET_KEY_PREFIX = 'slack-budget#';

/** The one item holding the times of the individual messages granted in the last window. */
export const BUDGET_SENT_KEY = `${BUDGET_KEY_PREFIX}sent`;

/** The item outlives its newest grant briefly (DynamoDB TTL deletes it later still). */
export const BUDGET_EXPIRY_AFTER_WINDOW_S = 60;

export interface SlidingGrant {
  readonly granted: number;
  /** Grant times (epoch ms) still inside the window at `at`, oldest first, before this request. */
  readonly kept: readonly number[];
  /** What the item holds after this request: `kept`, then one `at` per message granted. */
  readonly next: readonly number[];
}

/**
 * Pure: what a request for `wanted` messages at `at` gets, given the times of earlier grants. Grants
 * older than the window drop out; the rest count against `messages`. Whatever `at` is, the grants
 * in any span of `windowMs` never exceed `messages`.
 */
export function slideBudget(
  earlier: readonly number[],
  at: Date,
  wanted: number,
  limits: BudgetLimits,
): SlidingGrant {
  const now = at.getTime();
  const kept = earlier.filter((time) => time > now - limits.windowMs).sort((a, b) => a - b);
  const granted = Math.max(0, Math.min(wanted, limits.messages - kept.length));
  return { granted, kept, next: [...kept, ...Array.from({ length: granted }, () => now)] };
}

/** The span's start (ISO 8601) for `at`. Pure. */
export function budgetSince(at: Date, limits: BudgetLimits): string {
  return new Date(at.getTime() - limits.windowMs).toISOString();
}

/** The budget item's TTL attribute: epoch seconds, just after its newest grant leaves the window. Pure. */
export function budgetExpiration(at: Date, limits: BudgetLimits): number {
  return Math.floor((at.getTime() + limits.windowMs) / 1_000) + BUDGET_EXPIRY_AFTER_WINDOW_S;
}
