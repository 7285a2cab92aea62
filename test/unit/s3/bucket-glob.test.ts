import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { matchesBucketGlob } from '#shared/s3/bucket-glob.ts';

describe('matchesBucketGlob', () => {
  it.each([
    ['cdk-hnb659fds-assets-123456789012-us-east-1', 'cdk-*-assets-*', true],
    ['logs', 'logs', true],
    ['logs-archive', 'logs', false],
    ['a.b', 'a?b', true],
    ['ab', 'a?b', false],
    ['team-a-data', 'team-[ab]-data', true],
    ['team-c-data', 'team-[!ab]-data', true],
    ['team-a-data', 'team-[!ab]-data', false],
    ['team-7', 'team-[0-9]', true],
    ['my.bucket', 'my*bucket', true],
    ['xlogs', 'logs', false],
  ])('%s against %s is %s', (bucket, glob, expected) => {
    expect(matchesBucketGlob(bucket, glob)).toBe(expected);
  });

  // picomatch reads `[!a]` as "! or a" rather than shell negation, so the oracle covers the rest.
  it('agrees with picomatch on bucket names and globs', () => {
    // Valid bucket names only: they start and end with a letter or digit (picomatch treats `.` and
    // `..` as path segments, which bucket names never are).
    const edge = fc.constantFrom('a', 'b', 'c', '1');
    const middle = fc.string({
      unit: fc.constantFrom('a', 'b', 'c', '1', '.', '-'),
      minLength: 1,
      maxLength: 10,
    });
    const bucket = fc.tuple(edge, middle, edge).map((parts) => parts.join(''));
    const glob = fc.string({
      unit: fc.constantFrom('a', 'b', '1', '.', '-', '*', '?', '[ab]', '[a-c]'),
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(bucket, glob, (name, pattern) => {
        expect(matchesBucketGlob(name, pattern)).toBe(picomatch.isMatch(name, pattern, { dot: true }));
      }),
      { numRuns: 500 },
    );
  });
});
