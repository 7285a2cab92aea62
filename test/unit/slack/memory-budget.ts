import {
  type BudgetLimits,
  budgetKey,
  budgetWindow,
  grantOf,
  SLACK_BUDGET,
  type SlackBudget,
} from '#shared/slack/slack-budget.ts';

/** A budget that lives in one process, with the DynamoDB budget's semantics: for tests. */
export interface InMemorySlackBudget extends SlackBudget {
  /** Messages asked for, by counter key. */
  readonly used: ReadonlyMap<string, number>;
}

export function inMemorySlackBudget(limits: BudgetLimits = SLACK_BUDGET): InMemorySlackBudget {
  const used = new Map<string, number>();
  return {
    used,
    async take(wanted, at) {
      const window = budgetWindow(at, limits.windowMs);
      const key = budgetKey(window);
      const total = (used.get(key) ?? 0) + wanted;
      used.set(key, total);
      return {
        granted: grantOf(total, wanted, limits.messages),
        window: window.start.toISOString(),
        used: total,
      };
    },
  };
}
