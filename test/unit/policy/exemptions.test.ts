import { describe, expect, it } from 'vitest';
import { BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { EXEMPTIBLE_CONTROL_IDS } from '#shared/policy/exemption-schema.ts';
import {
  describeExemptionStatus,
  exemptFromAll,
  exemptionStatus,
  exemptionsExpiringSoon,
  exemptionsOf,
  expiryOf,
  isExemptFrom,
} from '#shared/policy/exemptions.ts';
import { parsePolicy } from '#shared/policy/load-policy.ts';
import { ACCOUNT_ID, makePolicy } from '../../fixtures.ts';

const HERE = { accountId: ACCOUNT_ID, region: 'us-east-1' };
const NOW = new Date('2026-11-20T10:15:30Z');
const withExemptions = (...exemptBuckets: object[]) => makePolicy({ s3: { exemptBuckets } as never });
const problemOf = (exemptBuckets: unknown[]): string => {
  try {
    parsePolicy({ version: 1, s3: { exemptBuckets } }, 'test');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the policy was accepted');
};

describe('exemption entries: validation names the field', () => {
  it.each([
    [
      'a plain bucket name (the form before reasons)',
      ['logs'],
      /a plain bucket name is no longer enough: write \{ bucket: "logs", reason: .*\n.*s3\.exemptBuckets\[0\]/,
    ],
    [
      'a missing reason',
      [{ bucket: 'logs' }],
      /reason is required|is required[\s\S]*s3\.exemptBuckets\[0\]\.reason/,
    ],
    [
      'a blank reason',
      [{ bucket: 'logs', reason: '   ' }],
      /is required[\s\S]*s3\.exemptBuckets\[0\]\.reason/,
    ],
    [
      'an unknown control',
      [{ bucket: 'logs', reason: 'r', controls: ['s3-encryption'] }],
      /"s3-encryption" is not a bucket control[\s\S]*s3\.exemptBuckets\[0\]\.controls\[0\]/,
    ],
    [
      'an account-level control',
      [{ bucket: 'logs', reason: 'r', controls: ['s3-account-public-access-block'] }],
      /is not a bucket control[\s\S]*s3\.exemptBuckets\[0\]\.controls\[0\]/,
    ],
    [
      'an empty control list',
      [{ bucket: 'logs', reason: 'r', controls: [] }],
      /names no control[\s\S]*s3\.exemptBuckets\[0\]\.controls/,
    ],
    [
      'an expiry that is no date',
      [{ bucket: 'logs', reason: 'r', expires: 'next week' }],
      /must be an ISO date[\s\S]*s3\.exemptBuckets\[0\]\.expires/,
    ],
    [
      'an expiry that is no calendar date',
      [{ bucket: 'logs', reason: 'r', expires: '2027-02-30' }],
      /not a calendar date[\s\S]*s3\.exemptBuckets\[0\]\.expires/,
    ],
    [
      'a date-time without its offset',
      [{ bucket: 'logs', reason: 'r', expires: '2027-01-31T18:00:00' }],
      /must be an ISO date[\s\S]*s3\.exemptBuckets\[0\]\.expires/,
    ],
    [
      'an unknown field',
      [{ bucket: 'logs', reason: 'r', until: '2027-01-31' }],
      /until[\s\S]*s3\.exemptBuckets\[0\]/,
    ],
    [
      'a bad glob in the second entry',
      [
        { bucket: 'logs', reason: 'r' },
        { bucket: 'logs-[z-a]', reason: 'r' },
      ],
      /not a valid glob[\s\S]*s3\.exemptBuckets\[1\]\.bucket/,
    ],
  ])('rejects %s', (_label, entries, message) => {
    expect(problemOf(entries)).toMatch(message);
  });

  it('accepts a full entry, a date-time with its offset and the minimal form', () => {
    const policy = parsePolicy(
      {
        version: 1,
        s3: {
          exemptBuckets: [
            { bucket: 'logs-*', reason: ' archive ', controls: ['s3-encryption-kms'], expires: '2027-01-31' },
            { bucket: 'tmp', reason: 'r', expires: '2027-01-31T18:00:00+01:00' },
            { bucket: 'web', reason: 'r' },
          ],
        },
      },
      'test',
    );

    expect(policy.s3.exemptBuckets[0]).toEqual({
      bucket: 'logs-*',
      reason: 'archive',
      controls: ['s3-encryption-kms'],
      expires: '2027-01-31',
    });
    expect(policy.s3.exemptBuckets).toHaveLength(3);
  });

  it('lets an exemption name exactly the bucket controls of the registry', () => {
    expect([...EXEMPTIBLE_CONTROL_IDS].sort()).toEqual(BUCKET_CONTROLS.map((control) => control.id).sort());
  });
});

describe('exemption scope', () => {
  const policy = withExemptions(
    { bucket: 'reports-*', reason: 'KMS costs, ticket SEC-12', controls: ['s3-encryption-kms'] },
    {
      bucket: 'reports-web',
      reason: 'public site',
      controls: ['s3-public-policy', 's3-bucket-public-access-block'],
    },
  );

  it('covers only the controls an exemption names; the others still run on the bucket', () => {
    const exemptions = exemptionsOf('reports-2026', policy, HERE, NOW);

    expect(exemptFromAll(exemptions)).toBe(false);
    expect(isExemptFrom(exemptions, 's3-encryption-kms')).toBe(true);
    expect(isExemptFrom(exemptions, 's3-bucket-public-access-block')).toBe(false);
  });

  it('adds up the controls of every exemption that names the bucket', () => {
    const exemptions = exemptionsOf('reports-web', policy, HERE, NOW);

    expect(
      ['s3-encryption-kms', 's3-public-policy', 's3-bucket-public-access-block'].map((id) =>
        isExemptFrom(exemptions, id as never),
      ),
    ).toEqual([true, true, true]);
    expect(isExemptFrom(exemptions, 's3-public-acl')).toBe(false);
  });

  it('covers every control when the exemption names none', () => {
    const exemptions = exemptionsOf('web', withExemptions({ bucket: 'web', reason: 'r' }), HERE, NOW);

    expect(exemptFromAll(exemptions)).toBe(true);
    expect(isExemptFrom(exemptions, 's3-public-acl')).toBe(true);
  });
});

describe('exemption expiry, judged against the injected now', () => {
  const on = (expires: string) => ({ bucket: 'logs', reason: 'r', expires });

  it('reads a date as applying through that day (UTC) and a date-time as that instant', () => {
    expect(expiryOf(withExemptions(on('2026-11-25')).s3.exemptBuckets[0] as never)?.toISOString()).toBe(
      '2026-11-26T00:00:00.000Z',
    );
    expect(
      expiryOf(withExemptions(on('2026-11-25T18:00:00+01:00')).s3.exemptBuckets[0] as never)?.toISOString(),
    ).toBe('2026-11-25T17:00:00.000Z');
  });

  it.each([
    ['no expiry', undefined, 'active'],
    ['an expiry more than a week away', '2026-12-31', 'active'],
    ['an expiry 5 days away', '2026-11-25', 'expires in 5 days'],
    ['an expiry 1 day away', '2026-11-21', 'expires in 1 day'],
    ['an expiry later today', '2026-11-20', 'expires within a day'],
    ['an expiry yesterday', '2026-11-19', 'expired'],
    ['an instant a second ago', '2026-11-20T10:15:29Z', 'expired'],
  ])('calls %s %s', (_label, expires, described) => {
    const exemption = withExemptions(expires ? on(expires) : { bucket: 'logs', reason: 'r' }).s3
      .exemptBuckets[0];

    expect(describeExemptionStatus(exemptionStatus(exemption as never, NOW))).toBe(described);
  });

  it('stops applying an expired exemption on its own and reports it as expired', () => {
    const policy = withExemptions(on('2026-11-19'));

    const exemptions = exemptionsOf('logs', policy, HERE, NOW);

    expect(exemptFromAll(exemptions)).toBe(false);
    expect(exemptions.expired.map((exemption) => exemption.bucket)).toEqual(['logs']);
    expect(exemptFromAll(exemptionsOf('logs', policy, HERE, new Date('2026-11-19T23:59:59Z')))).toBe(true);
  });
});

describe('exemptionsExpiringSoon', () => {
  const policy = withExemptions(
    { bucket: 'later', reason: 'r', expires: '2026-11-27' },
    { bucket: 'soon', reason: 'r', expires: '2026-11-26' },
    { bucket: 'gone', reason: 'r', expires: '2026-11-01' },
    { bucket: 'sooner', reason: 'r', expires: '2026-11-21', controls: ['s3-encryption-kms'] },
    { bucket: 'forever', reason: 'r' },
  );

  it('lists the exemptions expiring within 7 days, soonest first, with their place and days left', () => {
    expect(exemptionsExpiringSoon(policy, NOW)).toEqual([
      {
        exemption: { bucket: 'sooner', reason: 'r', expires: '2026-11-21', controls: ['s3-encryption-kms'] },
        index: 3,
        expiresAt: '2026-11-22T00:00:00.000Z',
        daysLeft: 1,
      },
      {
        exemption: { bucket: 'soon', reason: 'r', expires: '2026-11-26' },
        index: 1,
        expiresAt: '2026-11-27T00:00:00.000Z',
        daysLeft: 6,
      },
    ]);
  });

  it('lists nothing for the shipped kind of policy (no expiry)', () => {
    expect(exemptionsExpiringSoon(withExemptions({ bucket: 'x', reason: 'r' }), NOW)).toEqual([]);
  });
});
