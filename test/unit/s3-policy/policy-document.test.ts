import { describe, expect, it } from 'vitest';
import { InvalidPolicyError } from '#shared/model/policy/errors.ts';
import { normalisePolicy, serializePolicy } from '#shared/model/policy/policy-document.ts';

const statement = (overrides: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
  ...overrides,
});

const only = (input: unknown) => {
  const [first] = normalisePolicy(input).statements;
  if (!first) throw new Error('no statement');
  return first;
};

describe('normalisePolicy principals', () => {
  it.each([
    ['"*"', '*', [{ type: 'AWS', id: '*' }]],
    ['{"AWS": "*"}', { AWS: '*' }, [{ type: 'AWS', id: '*' }]],
    ['a bare ARN', 'arn:aws:iam::111122223333:root', [{ type: 'AWS', id: 'arn:aws:iam::111122223333:root' }]],
    ['a bare account id', { AWS: '111122223333' }, [{ type: 'AWS', id: '111122223333' }]],
    [
      'a list',
      ['111122223333', '444455556666'],
      [
        { type: 'AWS', id: '111122223333' },
        { type: 'AWS', id: '444455556666' },
      ],
    ],
    [
      'a Service principal',
      { Service: ['logging.s3.amazonaws.com'] },
      [{ type: 'Service', id: 'logging.s3.amazonaws.com' }],
    ],
    [
      'a Federated principal',
      { Federated: 'cognito-identity.amazonaws.com' },
      [{ type: 'Federated', id: 'cognito-identity.amazonaws.com' }],
    ],
    ['a CanonicalUser principal', { CanonicalUser: 'abc123' }, [{ type: 'CanonicalUser', id: 'abc123' }]],
    [
      'mixed types',
      { AWS: 'arn:aws:iam::111122223333:root', Service: 's3.amazonaws.com' },
      [
        { type: 'AWS', id: 'arn:aws:iam::111122223333:root' },
        { type: 'Service', id: 's3.amazonaws.com' },
      ],
    ],
  ])('reads %s', (_label, principal, expected) => {
    expect(only({ Statement: statement({ Principal: principal }) }).principals).toEqual(expected);
  });

  it('keeps NotPrincipal apart from Principal', () => {
    const parsed = only({
      Statement: statement({ Principal: undefined, NotPrincipal: { AWS: '111122223333' } }),
    });

    expect(parsed.principals).toEqual([]);
    expect(parsed.notPrincipals).toEqual([{ type: 'AWS', id: '111122223333' }]);
  });
});

describe('normalisePolicy actions, resources and conditions', () => {
  it('turns Action and Resource strings into lists and keeps NotAction / NotResource apart', () => {
    const parsed = only({
      Statement: statement({
        Action: undefined,
        NotAction: 's3:Delete*',
        Resource: undefined,
        NotResource: ['a', 'b'],
      }),
    });

    expect(parsed).toMatchObject({
      actions: [],
      notActions: ['s3:Delete*'],
      resources: [],
      notResources: ['a', 'b'],
    });
  });

  it('parses operators with set qualifier and IfExists, and values of any scalar type', () => {
    const parsed = only({
      Statement: statement({
        Condition: {
          'ForAnyValue:StringEqualsIfExists': { 'aws:SourceVpce': ['vpce-1', 'vpce-2'] },
          Bool: { 'aws:SecureTransport': false },
          NumericLessThan: { 's3:max-keys': 10 },
        },
      }),
    });

    expect(parsed.conditions).toEqual([
      {
        operator: 'ForAnyValue:StringEqualsIfExists',
        baseOperator: 'StringEquals',
        ifExists: true,
        setQualifier: 'ForAnyValue',
        key: 'aws:SourceVpce',
        values: ['vpce-1', 'vpce-2'],
      },
      {
        operator: 'Bool',
        baseOperator: 'Bool',
        ifExists: false,
        key: 'aws:SecureTransport',
        values: ['false'],
      },
      {
        operator: 'NumericLessThan',
        baseOperator: 'NumericLessThan',
        ifExists: false,
        key: 's3:max-keys',
        values: ['10'],
      },
    ]);
  });

  it('numbers statements in order and keeps Sid, Version and Id', () => {
    const document = normalisePolicy({
      Version: '2012-10-17',
      Id: 'policy-1',
      Statement: [statement({ Sid: 'A' }), statement({ Sid: 'B' })],
    });

    expect(document.version).toBe('2012-10-17');
    expect(document.id).toBe('policy-1');
    expect(document.statements.map((parsed) => [parsed.index, parsed.sid])).toEqual([
      [0, 'A'],
      [1, 'B'],
    ]);
  });
});

describe('normalisePolicy refuses malformed input with InvalidPolicyError', () => {
  it.each([
    ['text that is not JSON', '{"Statement": ', 'not valid JSON'],
    ['a list at the top', [statement()], 'document: expected an object'],
    ['no Statement', { Version: '2012-10-17' }, 'has no Statement'],
    ['a statement that is a string', { Statement: ['x'] }, 'Statement[0]: expected an object'],
    [
      'a lowercase effect',
      { Statement: statement({ Effect: 'allow' }) },
      'Statement[0].Effect: must be "Allow" or "Deny"',
    ],
    ['no effect', { Statement: statement({ Effect: undefined }) }, 'got nothing'],
    [
      'no principal',
      { Statement: statement({ Principal: undefined }) },
      'exactly one of Principal and NotPrincipal',
    ],
    [
      'both Action and NotAction',
      { Statement: statement({ NotAction: 's3:*' }) },
      'exactly one of Action and NotAction',
    ],
    [
      'an unknown principal type',
      { Statement: statement({ Principal: { User: 'x' } }) },
      'unknown principal type "User"',
    ],
    ['an empty principal object', { Statement: statement({ Principal: {} }) }, 'names no principal'],
    [
      'a numeric action',
      { Statement: statement({ Action: 5 }) },
      'Statement[0].Action: expected a string or a list',
    ],
    [
      'a condition that is a list',
      { Statement: statement({ Condition: [] }) },
      'Condition: expected an object',
    ],
    [
      'a condition value that is an object',
      { Statement: statement({ Condition: { StringEquals: { k: { a: 1 } } } }) },
      'StringEquals.k[0]',
    ],
  ])('refuses %s', (_label, input, message) => {
    expect(() => normalisePolicy(input)).toThrow(InvalidPolicyError);
    expect(() => normalisePolicy(input)).toThrow(message);
  });

  it('is terminal (not retried)', () => {
    expect(new InvalidPolicyError('x').retryable).toBe(false);
  });
});

describe('serializePolicy', () => {
  it('writes statements exactly as received', () => {
    const original = {
      Version: '2012-10-17',
      Statement: [
        statement({
          Sid: 'Kept',
          Principal: { AWS: ['111122223333'] },
          Condition: { Bool: { 'aws:SecureTransport': true } },
        }),
      ],
    };

    expect(JSON.parse(serializePolicy(normalisePolicy(JSON.stringify(original))))).toEqual(original);
  });

  it('writes a single Statement object as a list', () => {
    const written = JSON.parse(serializePolicy(normalisePolicy({ Statement: statement() })));

    expect(written).toEqual({ Statement: [statement()] });
  });

  it('unwraps the old CloudTrail one-element arrays where IAM wants a string', () => {
    const written = JSON.parse(
      serializePolicy(
        normalisePolicy({
          Version: ['2012-10-17'],
          Statement: [statement({ Effect: ['Allow'], Sid: ['S'] })],
        }),
      ),
    );

    expect(written).toEqual({ Version: '2012-10-17', Statement: [statement({ Effect: 'Allow', Sid: 'S' })] });
  });

  it('keeps a private copy, so later changes to the input do not leak in', () => {
    const input = { Statement: [statement()] };
    const document = normalisePolicy(input);
    (input.Statement[0] as Record<string, unknown>).Effect = 'Deny';

    expect(JSON.parse(serializePolicy(document)).Statement[0].Effect).toBe('Allow');
  });
});
