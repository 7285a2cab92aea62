import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeBlock,
  escapeMrkdwn,
  inlineCode,
  TRUNCATION_MARK,
  truncate,
} from '../../../functions/notify-slack/text.ts';
import { LONE_SURROGATE } from './helpers.ts';

const fences = (text: string) => text.split('```').length - 1;

describe('escapeMrkdwn', () => {
  it('escapes the three characters Slack treats as control characters', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil|click&gt;',
    );
  });

  it('keeps inline code and code blocks from being closed early by their content', () => {
    expect(inlineCode('a`b')).toBe("`a'b`");
    expect(fences(codeBlock('x ``` y'))).toBe(2);
  });
});

describe('truncate', () => {
  it('leaves text within the limit unchanged', () => {
    expect(truncate('short', 10)).toBe('short');
  });

  it('cuts long text to the limit and says it was truncated', () => {
    const result = truncate('x'.repeat(5_000), 3_000);

    expect(result).toHaveLength(3_000);
    expect(result.endsWith(TRUNCATION_MARK)).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    for (const max of [100, 101, 102, 103]) {
      const result = truncate('😀'.repeat(200), max);

      expect(result.length).toBeLessThanOrEqual(max);
      expect(LONE_SURROGATE.test(result)).toBe(false);
    }
  });

  it('closes a code fence the cut leaves open', () => {
    const result = truncate(`reason\n\`\`\`${'{"a":1}'.repeat(1_000)}\`\`\``, 3_000);

    expect(result.length).toBeLessThanOrEqual(3_000);
    expect(fences(result) % 2).toBe(0);
    expect(result.endsWith(`\`\`\`\n${TRUNCATION_MARK}`)).toBe(true);
  });

  it('does not cut an escaped entity in half', () => {
    const text = `${'a'.repeat(18)}&amp;${'b'.repeat(100)}`;

    expect(truncate(text, 20 + TRUNCATION_MARK.length)).toBe(`${'a'.repeat(18)}${TRUNCATION_MARK}`);
  });

  it('keeps every limit for any input (property)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('```', '&amp;', '&lt;', '😀', '`', '\n'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), fc.integer({ min: 1, max: 400 }), (pieces, max) => {
        const text = pieces.join('');
        const result = truncate(text, max);
        expect(result.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(result)).toBe(false);
        if (fences(text) % 2 === 0 && max > 30) expect(fences(result) % 2).toBe(0);
      }),
    );
  });
});
