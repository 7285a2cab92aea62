import { describe, expect, it } from 'vitest';
import type { SlackAlert } from '#shared/slack/inbound.ts';
import { SLACK_LIMITS, textLength } from '../../../functions/notify-slack/block-kit.ts';
import { auditListCommand, nameResources } from '../../../functions/notify-slack/digest-resources.ts';
import { DIGEST_MAX_CHARS, toDigestMessage } from '../../../functions/notify-slack/slack-messages.ts';
import { alertFor, allText, limitViolations } from './helpers.ts';

const SINCE = /`npx warden audit list --since (\S+)`/;

/** 500 alerts of a storm, the names long or short; event times a second apart from 10:00:00. */
function storm(nameLength: number): SlackAlert[] {
  return Array.from({ length: 500 }, (_, i) => {
    const alert = alertFor(i, i < 20 ? 'CRITICAL' : 'HIGH', i % 2 === 0 ? '123456789012' : '111111111111');
    const resource = `${'b'.repeat(Math.max(0, nameLength - 4))}${String(i).padStart(4, '0')}`;
    return { ...alert, resource, region: i % 3 === 0 ? 'eu-west-1' : 'us-east-1' };
  });
}

/** Every alert's resource is named in the message, or its event is at or after the command's --since. */
function unreachable(alerts: readonly SlackAlert[], text: string): SlackAlert[] {
  const since = SINCE.exec(text)?.[1];
  return alerts.filter(
    (alert) =>
      !text.includes(`\`${alert.resource}\``) &&
      (since === undefined || Date.parse(alert.eventTime) < Date.parse(since)),
  );
}

describe("a storm digest's resources", () => {
  it.each([
    ['short names', 12],
    ['the longest bucket names', 63],
  ])(
    '500 resources (%s): every one named or listed by the audit command, within Slack limits',
    (_, length) => {
      const alerts = storm(length);

      const message = toDigestMessage(alerts, 0);

      const text = allText(message);
      expect(unreachable(alerts, text)).toEqual([]);
      expect(limitViolations(message)).toEqual([]);
      expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      for (const block of message.blocks)
        if (block.type === 'section' && block.text)
          expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(textLength(message.blocks)).toBeLessThanOrEqual(DIGEST_MAX_CHARS);
    },
  );

  it('names all 500 short names across several sections, no command needed', () => {
    const message = toDigestMessage(storm(12), 0);

    const text = allText(message);
    expect(storm(12).every((alert) => text.includes(`\`${alert.resource}\``))).toBe(true);
    expect(message.blocks.filter((block) => block.type === 'section').length).toBeGreaterThan(3);
    expect(text).not.toContain('warden audit list');
  });

  it('gives the exact command for those it has no room for, and names how many', () => {
    const alerts = storm(63);

    const text = allText(toDigestMessage(alerts, 0));

    const named = alerts.filter((alert) => text.includes(`\`${alert.resource}\``)).length;
    expect(named).toBeGreaterThan(100);
    expect(named).toBeLessThan(500);
    expect(text).toContain(`*${500 - named} more not named here*`);
    expect(text).toMatch(SINCE);
  });

  it('never cuts a name: a group that fills a section continues in the next', () => {
    const alerts = storm(63).slice(0, 80);

    const { sections, unnamed } = nameResources(alerts, { chars: 10_000, sections: 10 });

    expect(unnamed).toEqual([]);
    expect(sections.length).toBeGreaterThan(1);
    expect(sections[1]).toMatch(/^\*(CRITICAL|HIGH) · .*\* \(continued\)\n`b+\d{4}`/);
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('names a resource of several events once, with their count', () => {
    const alerts = [alertFor(1), { ...alertFor(2), resource: 'iac-bucket-001' }];

    const { sections } = nameResources(alerts, { chars: 3_000, sections: 1 });

    expect(sections).toEqual([
      '*Resources*\n*HIGH · DeleteBucketEncryption · 123456789012/us-east-1 · fixed*\n`iac-bucket-001` ×2',
    ]);
  });
});

describe('auditListCommand', () => {
  it('lists every action since the earliest event not named, as audit records store time', () => {
    const alerts = [alertFor(30), alertFor(5), alertFor(61)];

    expect(auditListCommand(alerts)).toBe('npx warden audit list --since 2026-11-20T10:00:05.000Z');
  });

  it('falls back to the whole trail when an alert has no event time (an older Warden)', () => {
    expect(auditListCommand([{ ...alertFor(1), eventTime: '' }])).toBe('npx warden audit list');
  });
});
