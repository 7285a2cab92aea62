/**
 * Pieces of the sweep fan-out simulation (bench/sweep-fanout.ts), pure and deterministic: a virtual clock
 * that runs async code without waiting, a per-account token bucket (S3 answering SlowDown above a rate),
 * a seeded random source (the SDK's retry jitter), and a FIFO queue with message groups worked by a
 * capped number of consumers, as Lambda works an SQS FIFO queue.
 */

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** A binary min-heap of timers by time, then by creation order. */
class TimerHeap {
  private readonly items: Timer[] = [];
  get size() {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(timer: Timer) {
    const items = this.items;
    items.push(timer);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index] as Timer, items[parent] as Timer)) break;
      [items[index], items[parent]] = [items[parent] as Timer, items[index] as Timer];
      index = parent;
    }
  }
  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && before(items[left] as Timer, items[smallest] as Timer)) smallest = left;
        if (right < items.length && before(items[right] as Timer, items[smallest] as Timer)) smallest = right;
        if (smallest === index) break;
        [items[index], items[smallest]] = [items[smallest] as Timer, items[index] as Timer];
        index = smallest;
      }
    }
    return top;
  }
}
const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Simulated time for async code: `sleep` resolves when `run` advances the clock to its end. `run` lets every
 * promise chain settle (one macrotask drains all microtasks), then jumps to the earliest pending timer and
 * wakes every sleeper due then. Code under simulation must wait only on this clock (no real I/O or timers).
 */
export class VirtualClock {
  private current = 0;
  private seq = 0;
  private readonly timers = new TimerHeap();

  /** Milliseconds since the simulation started. */
  now(): number {
    return this.current;
  }

  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) =>
      this.timers.push({ at: this.current + Math.max(0, milliseconds), seq: this.seq++, resolve }),
    );
  }

  /** Runs `work` to completion in simulated time; throws if it waits on something other than this clock. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    work().then(
      (value) => {
        outcome = { value };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );
    for (;;) {
      await macrotask();
      if (outcome) break;
      const first = this.timers.peek();
      if (!first) throw new Error('The simulated work is waiting on something other than the virtual clock');
      this.current = first.at;
      while (this.timers.peek()?.at === first.at) this.timers.pop()?.resolve();
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

/**
 * A token bucket: `rate` requests a second sustained, bursts up to `burst` (an infinite rate: no limit).
 * A request refused takes no token (a throttled request is not served).
 */
export class TokenBucket {
  private tokens: number;
  private last = 0;
  constructor(
    private readonly rate: number,
    private readonly burst: number = rate,
  ) {
    this.tokens = burst;
  }
  /** Whether a request at `nowMs` is served. */
  take(nowMs: number): boolean {
    if (this.rate === Number.POSITIVE_INFINITY) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
    this.last = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A seeded uniform [0, 1) source (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FifoRunStats {
  readonly items: number;
  /** Most items in flight at once (never above the consumer cap). */
  readonly peakInFlight: number;
  /** Whether two items of one group were ever in flight at once (FIFO forbids it). */
  readonly groupOverlap: boolean;
}

/**
 * Works a FIFO queue with message groups the way Lambda's event source works an SQS FIFO queue with
 * `batchSize` 1 and `maxConcurrency` = `consumers`: an item is handed out only while no other item of its
 * group is in flight; among the groups free to go, the one whose next item was enqueued first goes first;
 * at most `consumers` items are in flight. `handle` returns the items an item spawns (enqueued at the tail
 * of their groups). `handoff` is what happens between items (delete, poll, invoke), on the caller's clock.
 */
export async function drainFifoQueue<Item>(options: {
  readonly initial: readonly Item[];
  readonly groupOf: (item: Item) => string;
  readonly consumers: number;
  readonly handle: (item: Item) => Promise<readonly Item[]>;
  readonly handoff?: () => Promise<void>;
}): Promise<FifoRunStats> {
  let seq = 0;
  const groups = new Map<string, { seq: number; item: Item }[]>();
  const enqueue = (item: Item) => {
    const group = options.groupOf(item);
    const queue = groups.get(group) ?? [];
    queue.push({ seq: seq++, item });
    groups.set(group, queue);
  };
  for (const item of options.initial) enqueue(item);
  const inFlight = new Set<string>();
  let items = 0;
  let peakInFlight = 0;
  let groupOverlap = false;

  /** The free group whose head was enqueued first (groups are few next to items: a scan is enough). */
  const nextGroup = (): string | undefined => {
    let best: string | undefined;
    let bestSeq = Number.POSITIVE_INFINITY;
    for (const [group, queue] of groups) {
      const head = queue[0];
      if (head && head.seq < bestSeq && !inFlight.has(group)) {
        best = group;
        bestSeq = head.seq;
      }
    }
    return best;
  };

  const consumer = async (): Promise<void> => {
    for (;;) {
      const group = nextGroup();
      if (group === undefined) {
        // Nothing free now; anything still in flight may spawn more. Done when nothing is in flight.
        if (inFlight.size === 0) return;
        await waitForChange();
        continue;
      }
      const queue = groups.get(group) as { seq: number; item: Item }[];
      const head = queue.shift() as { seq: number; item: Item };
      if (queue.length === 0) groups.delete(group);
      if (inFlight.has(group)) groupOverlap = true;
      inFlight.add(group);
      peakInFlight = Math.max(peakInFlight, inFlight.size);
      items += 1;
      const children = await options.handle(head.item);
      for (const child of children) enqueue(child);
      inFlight.delete(group);
      notify();
      await options.handoff?.();
    }
  };

  let waiters: (() => void)[] = [];
  const waitForChange = () => new Promise<void>((resolve) => waiters.push(resolve));
  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  await Promise.all(Array.from({ length: Math.max(1, options.consumers) }, consumer));
  return { items, peakInFlight, groupOverlap };
}
