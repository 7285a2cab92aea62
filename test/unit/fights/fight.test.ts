import { describe, expect, it } from 'vitest';
import {
  type ControlFight,
  describeFight,
  describeOpponents,
  FIGHT_REPORT_EVERY_MINUTES,
  type FightReport,
  type FightSettings,
  fightStateExpiry,
  pauseReason,
  type Repair,
  recordRepair,
  tallyOpponents,
} from '#shared/guard/fight.ts';

const SETTINGS: FightSettings = { repairs: 3, windowMinutes: 10, coolDownMinutes: 30 };
const START = Date.parse('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(START + minutes * 60_000);
const TERRAFORM = { principal: 'arn:aws:iam::123456789012:role/terraform', userAgent: 'Terraform/1.9.8' };
/** `null`: a repair of the sweep, which names nobody. */
const repairAt = (minutes: number, by: Repair['by'] | null = TERRAFORM): Repair => ({
  at: at(minutes).toISOString(),
  eventId: `event-${minutes}`,
  ...(by ? { by } : {}),
});

/** Repairs at these minutes, one after the other, as the pipeline records them. */
function replay(minutes: readonly number[], critical: boolean, settings = SETTINGS) {
  let entry: ControlFight | undefined;
  const verdicts = minutes.map((minute) => {
    const result = recordRepair('s3-public-policy', entry, repairAt(minute), critical, settings, at(minute));
    entry = result.entry;
    return result.verdict;
  });
  return { entry, verdicts, kinds: verdicts.map((verdict) => verdict.kind) };
}

describe('recordRepair', () => {
  it('counts repairs below the threshold as no fight', () => {
    expect(replay([0, 4], true).kinds).toEqual(['none', 'none']);
  });

  it('starts a fight on the Nth repair within the window', () => {
    const { kinds, verdicts } = replay([0, 4, 8], true);

    expect(kinds).toEqual(['none', 'none', 'started']);
    expect(verdicts[2]).toMatchObject({
      report: {
        controlId: 's3-public-policy',
        repairs: 3,
        minutes: 8,
        opponents: [{ ...TERRAFORM, repairs: 3 }],
        unseen: 0,
        next: { kind: 'repairing', nextReportAt: at(8 + FIGHT_REPORT_EVERY_MINUTES).toISOString() },
      },
    });
  });

  it('forgets repairs older than the window', () => {
    expect(replay([0, 6, 11, 15], true).kinds).toEqual(['none', 'none', 'none', 'started']);
  });

  it('uses the threshold from the settings', () => {
    expect(replay([0, 1, 2, 3], true, { ...SETTINGS, repairs: 4 }).kinds).toEqual([
      'none',
      'none',
      'none',
      'started',
    ]);
  });

  it('keeps repairing silently in a critical fight until an hour has passed, then reports', () => {
    const { kinds, verdicts } = replay([0, 4, 8, 12, 30, 67, 68], true);

    expect(kinds).toEqual(['none', 'none', 'started', 'silent', 'silent', 'silent', 'reported']);
    // The repairs since the report at minute 8: 12, 30, 67 and 68.
    expect(verdicts[6]).toMatchObject({ report: { repairs: 4, minutes: 60 } });
  });

  it('reports again an hour after the last report, not after the start', () => {
    const { kinds } = replay([0, 1, 2, 30, 61, 62, 100, 121, 122], true);

    expect(kinds).toEqual([
      'none',
      'none',
      'started',
      'silent',
      'silent',
      'reported',
      'silent',
      'silent',
      'reported',
    ]);
  });

  it('ends a critical fight after an hour without repairs: a new one needs N repairs again', () => {
    const { kinds } = replay([0, 1, 2, 63, 64, 65], true);

    expect(kinds).toEqual(['none', 'none', 'started', 'none', 'none', 'started']);
  });

  it('pauses a non-critical fight for the cool-down and says until when', () => {
    const { entry, verdicts } = replay([0, 4, 8], false);

    expect(verdicts[2]).toMatchObject({
      kind: 'started',
      report: { next: { kind: 'paused', until: at(38).toISOString() } },
    });
    expect(entry?.fight?.pausedUntil).toBe(at(38).toISOString());
  });

  it('keeps quiet about a repair that raced the pause (read before it was stored)', () => {
    const { kinds, entry } = replay([0, 4, 8, 9], false);

    expect(kinds.at(-1)).toBe('silent');
    expect(entry?.fight?.pausedUntil).toBe(at(38).toISOString());
  });

  it('starts counting afresh once the cool-down is over', () => {
    expect(replay([0, 4, 8, 40, 41, 42], false).kinds).toEqual([
      'none',
      'none',
      'started',
      'none',
      'none',
      'started',
    ]);
  });

  it('gives a retried event its first verdict again instead of counting it twice', () => {
    const { entry } = replay([0, 4], true);
    const third = recordRepair('s3-public-policy', entry, repairAt(8), true, SETTINGS, at(8));

    const retried = recordRepair('s3-public-policy', third.entry, repairAt(8), true, SETTINGS, at(9));

    expect(retried.verdict).toEqual(third.verdict);
    expect(retried.verdict.kind).toBe('started');
    expect(retried.entry).toEqual(third.entry);
  });

  it('counts the sweep’s repairs without naming anyone for them', () => {
    let entry: ControlFight | undefined;
    const repairs = [repairAt(0), repairAt(1, null), repairAt(2)];
    let last: ReturnType<typeof recordRepair> | undefined;
    for (const [minute, repair] of repairs.entries()) {
      last = recordRepair('s3-public-acl', entry, repair, true, SETTINGS, at(minute));
      entry = last.entry;
    }

    expect(last?.verdict).toMatchObject({
      kind: 'started',
      report: { opponents: [{ repairs: 2 }], unseen: 1 },
    });
  });
});

describe('pauseReason', () => {
  it('names the pause end, the start and the other actor while paused', () => {
    const { entry } = replay([0, 4, 8], false);

    expect(pauseReason(entry, at(20))).toBe(
      `enforcement paused until ${at(38).toISOString()} (a fight since ${at(8).toISOString()}: ` +
        'arn:aws:iam::123456789012:role/terraform (user agent "Terraform/1.9.8") kept re-applying what Warden repaired); ' +
        'Warden changed nothing',
    );
  });

  it('is undefined once the cool-down is over, for critical fights and without a fight', () => {
    expect(pauseReason(replay([0, 4, 8], false).entry, at(38))).toBeUndefined();
    expect(pauseReason(replay([0, 4, 8], true).entry, at(9))).toBeUndefined();
    expect(pauseReason(undefined, at(9))).toBeUndefined();
  });
});

describe('describing a fight', () => {
  const report: FightReport = {
    controlId: 's3-public-policy',
    repairs: 3,
    minutes: 9,
    opponents: [
      { ...TERRAFORM, repairs: 2 },
      { principal: 'arn:aws:iam::123456789012:user/alice', repairs: 1 },
    ],
    unseen: 1,
    next: { kind: 'repairing', nextReportAt: '2026-11-20T11:09:00.000Z' },
  };

  it('tallies the other actors by principal and user agent, most active first', () => {
    const repairs = [repairAt(0), repairAt(1, { principal: 'p2' }), repairAt(2), repairAt(3, null)];

    expect(tallyOpponents(repairs)).toEqual({
      opponents: [
        { ...TERRAFORM, repairs: 2 },
        { principal: 'p2', repairs: 1 },
      ],
      unseen: 1,
    });
  });

  it('names every actor, the user agent, how often and what Warden does next', () => {
    const text = describeFight(report, 'shared-data', true);

    expect(text).toContain('3 repairs of s3-public-policy on shared-data in 9 min, about every 3 min');
    expect(text).toContain(
      'arn:aws:iam::123456789012:role/terraform (user agent "Terraform/1.9.8"): 2 time(s)',
    );
    expect(text).toContain('arn:aws:iam::123456789012:user/alice: 1 time(s)');
    expect(text).toContain('drift found by the sweep: 1 time(s)');
    expect(text).toContain(
      'keeps repairing it without an alert each time and reports again after 2026-11-20T11:09:00.000Z',
    );
  });

  it('says a paused control is detect only until the end of the cool-down', () => {
    const text = describeFight(
      { ...report, next: { kind: 'paused', until: '2026-11-20T10:40:00.000Z' } },
      'b',
      false,
    );

    expect(text).toMatch(/^The fight goes on/);
    expect(text).toContain(
      'pauses enforcing s3-public-policy on b until 2026-11-20T10:40:00.000Z (detect only meanwhile)',
    );
  });

  it('names an unknown actor when no repair had one', () => {
    expect(describeOpponents({ opponents: [], unseen: 0 })).toBe('an unknown actor');
    expect(describeOpponents({ opponents: [], unseen: 2 })).toBe(
      'someone CloudTrail did not show Warden (found by the sweep)',
    );
  });
});

describe('fightStateExpiry', () => {
  it('keeps the state at least as long as the longest of window, cool-down and report period, plus an hour', () => {
    const now = at(0);
    const seconds = (minutes: number) => Math.floor(now.getTime() / 1000) + minutes * 60;

    expect(fightStateExpiry(SETTINGS, now)).toBe(seconds(FIGHT_REPORT_EVERY_MINUTES + 60));
    expect(fightStateExpiry({ ...SETTINGS, coolDownMinutes: 240 }, now)).toBe(seconds(300));
  });
});
