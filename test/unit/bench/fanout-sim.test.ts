import { describe, expect, it } from 'vitest';
import { drainFifoQueue, seededRandom, TokenBucket, VirtualClock } from '../../../bench/fanout-sim.ts';

/** The simulation's pieces: simulated time must be exact and the queue must keep FIFO's group rules. */
describe('virtual clock', () => {
  it('runs sleepers in time order and ends at the last one, without waiting', async () => {
    const clock = new VirtualClock();
    const woke: string[] = [];
    const nap = async (name: string, ms: number) => {
      await clock.sleep(ms);
      woke.push(`${name}@${clock.now()}`);
    };

    await clock.run(() =>
      Promise.all([nap('long', 3_600_000), nap('short', 30), nap('twice', 10).then(() => nap('again', 10))]),
    );

    expect(woke).toEqual(['twice@10', 'again@20', 'short@30', 'long@3600000']);
    expect(clock.now()).toBe(3_600_000);
  });

  it('adds up sequential sleeps and overlaps parallel ones', async () => {
    const clock = new VirtualClock();

    await clock.run(async () => {
      await clock.sleep(30);
      await Promise.all([clock.sleep(30), clock.sleep(10), clock.sleep(30)]);
      await clock.sleep(5);
    });

    expect(clock.now()).toBe(65);
  });

  it('passes on what the work returns and what it throws', async () => {
    const clock = new VirtualClock();

    await expect(
      clock.run(async () => {
        await clock.sleep(1);
        return 'done';
      }),
    ).resolves.toBe('done');
    await expect(
      clock.run(async () => {
        await clock.sleep(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('refuses work that waits on something other than the clock, instead of hanging', async () => {
    const clock = new VirtualClock();

    await expect(clock.run(() => new Promise<void>(() => {}))).rejects.toThrow(
      'other than the virtual clock',
    );
  });
});

describe('token bucket', () => {
  it('serves a burst, then the rate, and refuses without taking a token', () => {
    const bucket = new TokenBucket(10, 2);

    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it('sustains exactly the rate over a long run of requests every millisecond', () => {
    const bucket = new TokenBucket(50);
    let served = 0;
    for (let ms = 0; ms < 10_000; ms++) if (bucket.take(ms)) served += 1;

    // One second of burst, then 50 a second of refill over the ten seconds (the last token lands at the end).
    expect(served).toBeGreaterThanOrEqual(549);
    expect(served).toBeLessThanOrEqual(550);
  });

  it('serves every request when the rate is unlimited', () => {
    const bucket = new TokenBucket(Number.POSITIVE_INFINITY);

    expect(Array.from({ length: 1000 }, () => bucket.take(0)).every(Boolean)).toBe(true);
  });
});

describe('seeded random', () => {
  it('repeats for a seed and stays within [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const values = Array.from({ length: 1000 }, () => a());

    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(seededRandom(8)()).not.toBe(values[0]);
  });
});

describe('FIFO queue with message groups', () => {
  interface Item {
    readonly group: string;
    readonly name: string;
    readonly spawns?: readonly Item[];
  }

  /** Each item takes `ms` of simulated time; records when each started and ended. */
  async function drain(initial: readonly Item[], consumers: number, ms = 100, handoffMs = 0) {
    const clock = new VirtualClock();
    const log: { name: string; group: string; start: number; end: number }[] = [];
    const stats = await clock.run(() =>
      drainFifoQueue<Item>({
        initial,
        groupOf: (item) => item.group,
        consumers,
        handoff: () => clock.sleep(handoffMs),
        handle: async (item) => {
          const start = clock.now();
          await clock.sleep(ms);
          log.push({ name: item.name, group: item.group, start, end: clock.now() });
          return item.spawns ?? [];
        },
      }),
    );
    return { stats, log, end: clock.now() };
  }

  it('works one item of a group at a time, in order, children after their parent', async () => {
    const child = (name: string): Item => ({ group: 'a', name });
    const { log, stats, end } = await drain(
      [
        { group: 'a', name: 'list', spawns: [child('batch-1'), child('batch-2')] },
        { group: 'a', name: 'account' },
      ],
      5,
    );

    expect(log.map((entry) => `${entry.name}@${entry.start}`)).toEqual([
      'list@0',
      'account@100',
      'batch-1@200',
      'batch-2@300',
    ]);
    expect(stats).toEqual({ items: 4, peakInFlight: 1, groupOverlap: false });
    expect(end).toBe(400);
  });

  it('runs at most `consumers` groups at once', async () => {
    const initial = Array.from({ length: 10 }, (_, index) => ({ group: `g${index}`, name: `item-${index}` }));

    const { stats, end } = await drain(initial, 3);

    expect(stats.peakInFlight).toBe(3);
    // Ten items of 100 ms, three at a time: four rounds.
    expect(end).toBe(400);
  });

  it('hands the next item to the group whose head was enqueued first', async () => {
    const { log } = await drain(
      [
        { group: 'a', name: 'a1', spawns: [{ group: 'a', name: 'a2' }] },
        { group: 'b', name: 'b1' },
        { group: 'c', name: 'c1' },
      ],
      1,
    );

    expect(log.map((entry) => entry.name)).toEqual(['a1', 'b1', 'c1', 'a2']);
  });

  it('counts the hand-off between items of a consumer', async () => {
    const { end } = await drain(
      [
        { group: 'a', name: 'a1' },
        { group: 'a', name: 'a2' },
      ],
      1,
      100,
      50,
    );

    expect(end).toBe(300);
  });
});
