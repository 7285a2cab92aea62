import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPolicyError } from '#shared/model/policy/errors.ts';
import { normalisePolicy, serializePolicy } from '#shared/model/policy/policy-document.ts';
import { analyzePolicy } from '#shared/model/policy/public-policy.ts';

const stringOrList = (item: fc.Arbitrary<string>) =>
  fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 3 }));

const principal = fc.oneof(
  fc.constant('*'),
  fc.record({ AWS: stringOrList(fc.oneof(fc.constant('*'), fc.stringMatching(/^\d{12}$/))) }),
  fc.record({ Service: stringOrList(fc.constantFrom('s3.amazonaws.com', 'cloudtrail.amazonaws.com')) }),
);

const condition = fc.dictionary(
  fc.constantFrom(
    'StringEquals',
    'StringLike',
    'IpAddress',
    'ForAnyValue:StringEquals',
    'StringEqualsIfExists',
    'Bool',
  ),
  fc.dictionary(
    fc.constantFrom('aws:SourceVpce', 'aws:SourceIp', 'aws:PrincipalOrgID', 'aws:SecureTransport'),
    fc.oneof(stringOrList(fc.string()), fc.boolean(), fc.integer()),
    { minKeys: 1, maxKeys: 2 },
  ),
  { minKeys: 1, maxKeys: 2 },
);

const statement = fc.record(
  {
    Sid: fc.string(),
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: principal,
    Action: stringOrList(fc.constantFrom('s3:GetObject', 's3:*', 's3:PutObject')),
    Resource: stringOrList(fc.constantFrom('*', 'arn:aws:s3:::b/*')),
    Condition: condition,
  },
  { requiredKeys: ['Effect', 'Principal', 'Action', 'Resource'] },
);

describe('policy analysis properties', () => {
  it('never throws anything but InvalidPolicyError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.json(), fc.record({ Statement: fc.jsonValue() })), (input) => {
        try {
          const verdict = analyzePolicy(normalisePolicy(input));
          expect(typeof verdict.public).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPolicyError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on well-formed policies and judges every statement', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 5 }), (statements) => {
        const verdict = analyzePolicy(normalisePolicy({ Version: '2012-10-17', Statement: statements }));

        expect(verdict.statements).toHaveLength(statements.length);
        expect(verdict.public).toBe(verdict.statements.some((judged) => judged.public));
      }),
    );
  });

  it('serializePolicy(normalisePolicy(p)) keeps every statement deep-equal', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), (statements) => {
        const policy = { Version: '2012-10-17', Statement: statements };

        const written = JSON.parse(serializePolicy(normalisePolicy(JSON.stringify(policy))));

        expect(written).toEqual(policy);
      }),
    );
  });

  it('Deny statements are never public', () => {
    fc.assert(
      fc.property(statement, (generated) => {
        const verdict = analyzePolicy(normalisePolicy({ Statement: { ...generated, Effect: 'Deny' } }));

        expect(verdict.public).toBe(false);
      }),
    );
  });
});
