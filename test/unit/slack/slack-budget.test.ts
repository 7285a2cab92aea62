import { describe, expect, it } from 'vitest';
import {
  budgetExpiration,
  budgetKey,
  budgetWindow,
  grantOf,
  SLACK_BUDGET,
} from '#shared/slack/slack-budget.ts';
import { inMemorySlackBudget } from './memory-budget.ts';

const FIVE_MINUTES = 300_000;

describe('budgetWindow', () => {
  it('puts a time in the fixed window that holds it', () => {
    const window = budgetWindow(new Date('2026-11-20T10:17:42.512Z'), FIVE_MINUTES);

    expect(window).toEqual({
      start: new Date('2026-11-20T10:15:00.000Z'),
      end: new Date('2026-11-20T10:20:00.000Z'),
    });
  });

  it('starts a new window exactly at the boundary', () => {
    expect(budgetWindow(new Date('2026-11-20T10:20:00.000Z'), FIVE_MINUTES).start).toEqual(
      new Date('2026-11-20T10:20:00.000Z'),
    );
  });
});

describe('budgetKey and budgetExpiration', () => {
  const window = budgetWindow(new Date('2026-11-20T10:17:42Z'), FIVE_MINUTES);

  it('keys the counter by the window start', () => {
    expect(budgetKey(window)).toBe('slack-budget#2026-11-20T10:15:00.000Z');
  });

  it('expires the counter one minute after the window, in epoch seconds', () => {
    expect(budgetExpiration(window)).toBe(Date.parse('2026-11-20T10:21:00Z') / 1_000);
  });
});

describe('grantOf', () => {
  it('grants all of a request that fits', () => {
    expect(grantOf(5, 5, 10)).toBe(5);
  });

  it('grants the part that fits when the request crosses the limit', () => {
    expect(grantOf(12, 5, 10)).toBe(3);
  });

  it('grants nothing once earlier requests used the budget', () => {
    expect(grantOf(15, 5, 10)).toBe(0);
  });

  it('never grants concurrent requests more than the limit together, whatever their order', () => {
    const requests = [5, 6, 1, 5, 3, 5];
    let used = 0;

    const granted = requests.map((wanted) => {
      used += wanted;
      return grantOf(used, wanted, 10);
    });

    expect(granted).toEqual([5, 5, 0, 0, 0, 0]);
  });
});

describe('SLACK_BUDGET', () => {
  it('allows 10 individual alert messages per 5 minutes', () => {
    expect(SLACK_BUDGET).toEqual({ messages: 10, windowMs: FIVE_MINUTES });
  });
});

describe('inMemorySlackBudget', () => {
  it('grants up to the limit in a window, then nothing', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: FIVE_MINUTES });
    const at = new Date('2026-11-20T10:16:00Z');

    const grants = [await budget.take(5, at), await budget.take(6, at), await budget.take(5, at)];

    expect(grants).toEqual([
      { granted: 5, used: 5, window: '2026-11-20T10:15:00.000Z' },
      { granted: 5, used: 11, window: '2026-11-20T10:15:00.000Z' },
      { granted: 0, used: 16, window: '2026-11-20T10:15:00.000Z' },
    ]);
  });

  it('starts the next window with the whole budget', async () => {
    const budget = inMemorySlackBudget({ messages: 10, windowMs: FIVE_MINUTES });
    await budget.take(10, new Date('2026-11-20T10:19:59Z'));

    const grant = await budget.take(5, new Date('2026-11-20T10:20:00Z'));

    expect(grant).toEqual({ granted: 5, used: 5, window: '2026-11-20T10:20:00.000Z' });
  });
});
