import { describe, expect, it } from 'vitest';
import { budgetExpiration, budgetSince, SLACK_BUDGET, slideBudget } from '#shared/slack/slack-budget.ts';
import { inMemorySlackBudget } from './memory-budget.ts';

const FIVE_MINUTES = 300_000;
const limits = { messages: 10, windowMs: FIVE_MINUTES };
const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe('slideBudget', () => {
  it('grants all of a request that fits, and records one grant time per message', () => {
    const grant = slideBudget([], at('2026-11-20T10:17:42Z'), 3, limits);

    expect(grant).toEqual({
      granted: 3,
      kept: [],
      next: [ms('2026-11-20T10:17:42Z'), ms('2026-11-20T10:17:42Z'), ms('2026-11-20T10:17:42Z')],
    });
  });

  it('grants only what is left after the grants of the last five minutes', () => {
    const earlier = Array.from({ length: 8 }, () => ms('2026-11-20T10:15:00Z'));

    const grant = slideBudget(earlier, at('2026-11-20T10:19:59Z'), 5, limits);

    expect(grant.granted).toBe(2);
  });

  it('forgets a grant once it is five minutes old', () => {
    const earlier = [ms('2026-11-20T10:15:00Z'), ms('2026-11-20T10:16:00Z')];

    const grant = slideBudget(earlier, at('2026-11-20T10:20:00Z'), 1, limits);

    expect(grant.kept).toEqual([ms('2026-11-20T10:16:00Z')]);
  });

  it('gives a storm that straddles a 5-minute boundary one budget, not two', () => {
    let sent: readonly number[] = [];
    const times = ['10:19:20', '10:19:40', '10:20:00', '10:20:20', '10:20:40'];

    const granted = times.map((time) => {
      const grant = slideBudget(sent, at(`2026-11-20T${time}Z`), 5, limits);
      sent = grant.next;
      return grant.granted;
    });

    expect(granted).toEqual([5, 5, 0, 0, 0]);
  });

  it('never grants more than the limit in any 5-minute span, whatever the timing', () => {
    let sent: readonly number[] = [];
    const grants: number[] = [];
    for (let second = 0; second < 1_800; second += 7) {
      const grant = slideBudget(sent, new Date(second * 1_000), 1 + (second % 4), limits);
      sent = grant.next;
      grants.push(...grant.next.slice(grant.kept.length));
    }

    const worstSpan = Math.max(
      ...grants.map((start) => grants.filter((t) => t >= start && t < start + FIVE_MINUTES).length),
    );
    expect(worstSpan).toBe(10);
  });
});

describe('budgetSince and budgetExpiration', () => {
  it('starts the span five minutes before the request', () => {
    expect(budgetSince(at('2026-11-20T10:17:42Z'), limits)).toBe('2026-11-20T10:12:42.000Z');
  });

  it('expires the item one minute after its newest grant leaves the window, in epoch seconds', () => {
    expect(budgetExpiration(at('2026-11-20T10:17:42Z'), limits)).toBe(ms('2026-11-20T10:23:42Z') / 1_000);
  });
});

describe('SLACK_BUDGET', () => {
  it('allows 10 individual alert messages in any 5 minutes', () => {
    expect(SLACK_BUDGET).toEqual({ messages: 10, windowMs: FIVE_MINUTES });
  });
});

describe('inMemorySlackBudget', () => {
  it('grants up to the limit, then nothing', async () => {
    const budget = inMemorySlackBudget(limits);
    const now = at('2026-11-20T10:16:00Z');

    const grants = [await budget.take(5, now), await budget.take(6, now), await budget.take(5, now)];

    expect(grants).toEqual([
      { granted: 5, sent: 0, since: '2026-11-20T10:11:00.000Z' },
      { granted: 5, sent: 5, since: '2026-11-20T10:11:00.000Z' },
      { granted: 0, sent: 10, since: '2026-11-20T10:11:00.000Z' },
    ]);
  });

  it('grants again once the earlier grants are five minutes old', async () => {
    const budget = inMemorySlackBudget(limits);
    await budget.take(10, at('2026-11-20T10:19:59Z'));

    const grant = await budget.take(5, at('2026-11-20T10:24:59Z'));

    expect(grant).toEqual({ granted: 5, sent: 0, since: '2026-11-20T10:19:59.000Z' });
  });
});
