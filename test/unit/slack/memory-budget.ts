import {
  type BudgetLimits,
  budgetSince,
  SLACK_BUDGET,
  type SlackBudget,
  slideBudget,
} from '#shared/slack/slack-budget.ts';
import { claimSlot, SLACK_PACE_MS, type WebhookPace } from '../../../functions/notify-slack/webhook-pace.ts';

/** A budget that lives in one process, with the DynamoDB budget's semantics: for tests. */
export interface InMemorySlackBudget extends SlackBudget {
  /** Every request, in order. */
  readonly requests: readonly { readonly wanted: number; readonly at: Date }[];
  /** The times (epoch ms) of the grants still in the item. */
  readonly sent: () => readonly number[];
}

export function inMemorySlackBudget(limits: BudgetLimits = SLACK_BUDGET): InMemorySlackBudget {
  let sent: readonly number[] = [];
  const requests: { wanted: number; at: Date }[] = [];
  return {
    requests,
    sent: () => sent,
    async take(wanted, at) {
      requests.push({ wanted, at });
      const grant = slideBudget(sent, at, wanted, limits);
      sent = grant.next;
      return { granted: grant.granted, sent: grant.kept.length, since: budgetSince(at, limits) };
    },
  };
}

/** A webhook pace that lives in one process, with the DynamoDB pace's semantics: for tests. */
export function inMemoryWebhookPace(intervalMs = SLACK_PACE_MS): WebhookPace & { readonly slots: number[] } {
  let next: number | undefined;
  const slots: number[] = [];
  return {
    slots,
    async claim(notBefore, latest) {
      const claimed = claimSlot(next, notBefore, latest, intervalMs);
      if (!claimed) return undefined;
      next = claimed.next;
      slots.push(claimed.slot);
      return claimed.slot;
    },
  };
}
