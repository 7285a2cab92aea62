import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { bucketGlobProblem, matchesBucketGlob } from '#shared/s3/bucket-glob.ts';

const HERE = { accountId: '123456789012', region: 'us-east-1' };

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
    ['Legacy_Bucket', 'Legacy_*', true],
    ['cdk-hnb659fds-assets-123456789012-us-east-1', 'cdk-hnb659fds-assets-{account}-{region}', true],
  ])('%s against %s is %s', (bucket, glob, expected) => {
    expect(matchesBucketGlob(bucket, glob, HERE)).toBe(expected);
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
        expect(matchesBucketGlob(name, pattern, HERE)).toBe(picomatch.isMatch(name, pattern, { dot: true }));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['another account', 'cdk-hnb659fds-assets-999999999999-us-east-1'],
    ['another region', 'cdk-hnb659fds-assets-123456789012-eu-west-1'],
    ['a made-up name', 'cdk-anything-assets-x'],
  ])('does not let {account}-{region} match a bucket of %s', (_label, bucket) => {
    expect(matchesBucketGlob(bucket, 'cdk-hnb659fds-assets-{account}-{region}', HERE)).toBe(false);
  });

  it('matches nothing, without throwing, with a glob that does not compile', () => {
    expect(matchesBucketGlob('logs-a', 'logs-[z-a]*', HERE)).toBe(false);
  });
});

describe('bucketGlobProblem', () => {
  it.each([
    ['a reversed range', 'logs-[z-a]*', 'not a valid glob'],
    ['an unclosed class', 'logs-[ab', 'no closing'],
    ['an empty negated class', 'logs-[!]', 'empty class'],
    ['an unknown placeholder', 'cdk-{qualifier}-assets', '{account} nor {region}'],
    ['a stray closing brace', 'logs}', 'closes no placeholder'],
  ])('reports %s', (_label, glob, words) => {
    expect(bucketGlobProblem(glob)).toContain(words);
  });

  it.each(['logs', 'cdk-*-assets-*', 'team-[!ab]-data', 'cdk-hnb659fds-assets-{account}-{region}'])(
    'accepts %s',
    (glob) => {
      expect(bucketGlobProblem(glob)).toBeUndefined();
    },
  );
});
