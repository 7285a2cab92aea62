import { describe, expect, it } from 'vitest';
import { normalisePolicy } from '#shared/model/policy/policy-document.ts';
import { analyzePolicy } from '#shared/model/policy/public-policy.ts';

type Statement = Record<string, unknown>;

const BUCKET = 'arn:aws:s3:::example-bucket/*';
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax, not a JS template.
const USERNAME_VARIABLE = '${aws:username}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax, not a JS template.
const ACCOUNT_VARIABLE = '${aws:PrincipalAccount}';

/** One Allow statement reading objects; `Principal` and `Condition` vary per case. */
const allow = (principal: unknown, condition?: Record<string, unknown>): Statement => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 's3:GetObject',
  Resource: BUCKET,
  ...(condition ? { Condition: condition } : {}),
});

const policyOf = (...statements: Statement[]) => ({ Version: '2012-10-17', Statement: statements });

const verdict = (policy: unknown) => analyzePolicy(normalisePolicy(policy));

// Each case: the rule of S3 User Guide, "The meaning of public" (or the IAM grammar rule) it exercises.
const CASES: readonly (readonly [string, Statement, boolean])[] = [
  // Principal spellings
  ['wildcard principal "*" with no condition is public', allow('*'), true],
  ['wildcard principal {"AWS": "*"} is public', allow({ AWS: '*' }), true],
  ['wildcard principal {"AWS": ["*"]} is public', allow({ AWS: ['*'] }), true],
  [
    'a wildcard among fixed principals is public',
    allow({ AWS: ['arn:aws:iam::111122223333:root', '*'] }),
    true,
  ],
  [
    'a wildcard inside an ARN (arn:aws:iam::*:root) is not a fixed value',
    allow({ AWS: 'arn:aws:iam::*:root' }),
    true,
  ],
  [
    'a policy variable in a principal is not a fixed value',
    allow({ AWS: `arn:aws:iam::${USERNAME_VARIABLE}:root` }),
    true,
  ],
  [
    'a fixed account root ARN is a fixed AWS principal',
    allow({ AWS: 'arn:aws:iam::111122223333:root' }),
    false,
  ],
  ['a bare 12-digit account id is a fixed AWS principal', allow({ AWS: '111122223333' }), false],
  [
    'a fixed role ARN is a fixed AWS principal',
    allow({ AWS: 'arn:aws:iam::111122223333:role/JohnDoe' }),
    false,
  ],
  [
    'a list of fixed principals is fixed',
    allow({ AWS: ['111122223333', 'arn:aws:iam::444455556666:user/a'] }),
    false,
  ],
  ['a service principal is a fixed principal', allow({ Service: 'cloudtrail.amazonaws.com' }), false],
  ['a wildcard service principal is not fixed', allow({ Service: '*' }), true],
  [
    'a canonical user (CloudFront OAI) is a fixed principal',
    allow({ CanonicalUser: '79a59df900b949e55d96a1e698fbaced' }),
    false,
  ],
  [
    'a web identity provider ({"Federated": "graph.facebook.com"}) is public',
    allow({ Federated: 'graph.facebook.com' }),
    true,
  ],
  [
    'an IAM SAML provider in one account is a fixed principal',
    allow({ Federated: 'arn:aws:iam::111122223333:saml-provider/corp' }),
    false,
  ],
  // Effect and NotPrincipal
  ['a Deny statement never grants access', { ...allow('*'), Effect: 'Deny' }, false],
  [
    'Allow with NotPrincipal grants everyone else: public',
    {
      Effect: 'Allow',
      NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 's3:*',
      Resource: BUCKET,
    },
    true,
  ],
  [
    'Deny with NotPrincipal grants nothing',
    {
      Effect: 'Deny',
      NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 's3:*',
      Resource: BUCKET,
    },
    false,
  ],
  [
    'NotAction does not change publicness',
    { Effect: 'Allow', Principal: '*', NotAction: 's3:DeleteObject', Resource: BUCKET },
    true,
  ],
  [
    'NotResource does not change publicness',
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::other/*' },
    true,
  ],
  // Fixed values of each listed condition key pin the statement
  [
    'fixed aws:SourceVpc pins (StringEquals)',
    allow('*', { StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }),
    false,
  ],
  [
    'aws:SourceVpc with a wildcard (StringLike vpc-*) does not pin',
    allow('*', { StringLike: { 'aws:SourceVpc': 'vpc-*' } }),
    true,
  ],
  ['fixed aws:SourceVpce pins', allow('*', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), false],
  [
    'aws:SourceVpce with "?" does not pin',
    allow('*', { StringLike: { 'aws:SourceVpce': 'vpce-1a2b3c4?' } }),
    true,
  ],
  [
    'fixed aws:SourceArn pins (ArnEquals)',
    allow('*', {
      ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE' },
    }),
    false,
  ],
  [
    'aws:SourceArn with a wildcard does not pin',
    allow('*', { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*' } }),
    true,
  ],
  [
    'fixed aws:SourceAccount pins',
    allow('*', { StringEquals: { 'aws:SourceAccount': '111122223333' } }),
    false,
  ],
  [
    'aws:SourceAccount with a wildcard does not pin',
    allow('*', { StringLike: { 'aws:SourceAccount': '1111*' } }),
    true,
  ],
  ['fixed aws:SourceOwner pins', allow('*', { StringEquals: { 'aws:SourceOwner': '111122223333' } }), false],
  [
    'fixed aws:PrincipalOrgID pins (principal example in the guide)',
    allow('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }),
    false,
  ],
  [
    'aws:PrincipalOrgID with a wildcard does not pin',
    allow('*', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }),
    true,
  ],
  [
    'fixed aws:PrincipalAccount pins (an AWS principal)',
    allow('*', { StringEquals: { 'aws:PrincipalAccount': '111122223333' } }),
    false,
  ],
  [
    'fixed aws:PrincipalArn pins (an AWS role)',
    allow('*', { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/reader' } }),
    false,
  ],
  ['fixed aws:userid pins', allow('*', { StringEquals: { 'aws:userid': 'AIDAJQABLZS4A3QDU576Q' } }), false],
  [
    'aws:userid of the pattern AROLEID:* pins (documented exception)',
    allow('*', { StringLike: { 'aws:userid': 'AROAEXAMPLEID12345:*' } }),
    false,
  ],
  [
    'aws:userid with another wildcard does not pin',
    allow('*', { StringLike: { 'aws:userid': 'AIDA*' } }),
    true,
  ],
  [
    'fixed s3:DataAccessPointArn pins',
    allow('*', {
      StringEquals: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/reports' },
    }),
    false,
  ],
  [
    's3:DataAccessPointArn may wildcard the access point name when the account is fixed',
    allow('*', {
      StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' },
    }),
    false,
  ],
  [
    's3:DataAccessPointArn with a wildcard account does not pin',
    allow('*', { StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:*:accesspoint/*' } }),
    true,
  ],
  [
    'fixed s3:DataAccessPointAccount pins',
    allow('*', { StringEquals: { 's3:DataAccessPointAccount': '123456789012' } }),
    false,
  ],
  [
    's3:x-amz-server-side-encryption-aws-kms-key-id is not in the current list',
    allow('*', {
      StringEquals: {
        's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/abcd',
      },
    }),
    true,
  ],
  [
    'a key the guide does not list (aws:SecureTransport) does not pin',
    allow('*', { Bool: { 'aws:SecureTransport': 'true' } }),
    true,
  ],
  [
    'condition keys are case-insensitive (AWS:SOURCEVPCE)',
    allow('*', { StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } }),
    false,
  ],
  [
    'a policy variable is not a fixed value',
    allow('*', { StringEquals: { 'aws:SourceAccount': ACCOUNT_VARIABLE } }),
    true,
  ],
  [
    'one wildcard value in a value list opens the list',
    allow('*', { StringLike: { 'aws:SourceVpc': ['vpc-1', 'vpc-*'] } }),
    true,
  ],
  // aws:SourceIp width
  [
    'aws:SourceIp /24 is a narrow CIDR',
    allow('*', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
    false,
  ],
  [
    'aws:SourceIp /8 is not broader than /8',
    allow('*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
    false,
  ],
  [
    'aws:SourceIp /7 is broader than /8: public',
    allow('*', { IpAddress: { 'aws:SourceIp': '12.0.0.0/7' } }),
    true,
  ],
  [
    'aws:SourceIp 0.0.0.0/1 (the guide example) is public',
    allow('*', { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } }),
    true,
  ],
  ['aws:SourceIp 0.0.0.0/0 is public', allow('*', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), true],
  [
    'aws:SourceIp single address is narrow',
    allow('*', { IpAddress: { 'aws:SourceIp': '192.0.2.10' } }),
    false,
  ],
  [
    'aws:SourceIp IPv6 /32 is not broader than /32',
    allow('*', { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }),
    false,
  ],
  [
    'aws:SourceIp IPv6 /64 is narrow',
    allow('*', { IpAddress: { 'aws:SourceIp': '2001:db8:1234:5678::/64' } }),
    false,
  ],
  [
    'aws:SourceIp IPv6 /16 is broader than /32: public',
    allow('*', { IpAddress: { 'aws:SourceIp': '2001::/16' } }),
    true,
  ],
  ['aws:SourceIp ::/0 is public', allow('*', { IpAddress: { 'aws:SourceIp': '::/0' } }), true],
  [
    'one wide range among narrow ones is public',
    allow('*', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/1'] } }),
    true,
  ],
  [
    'NotIpAddress excludes a range and grants the rest: public',
    allow('*', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
    true,
  ],
  [
    'an unreadable aws:SourceIp value does not pin',
    allow('*', { IpAddress: { 'aws:SourceIp': 'not-an-ip' } }),
    true,
  ],
  // Operators
  [
    'StringNotEquals names no value the request carries',
    allow('*', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    true,
  ],
  [
    'IfExists matches requests without the key: does not pin',
    allow('*', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    true,
  ],
  ['Null only checks presence: does not pin', allow('*', { Null: { 'aws:SourceVpce': 'false' } }), true],
  [
    'StringEqualsIgnoreCase with a fixed value pins',
    allow('*', { StringEqualsIgnoreCase: { 'aws:SourceVpce': 'VPCE-1A2B3C4D' } }),
    false,
  ],
  [
    'StringLike without a wildcard pins',
    allow('*', { StringLike: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    false,
  ],
  [
    'ForAnyValue: is false when the key is absent: pins',
    allow('*', { 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    false,
  ],
  [
    'ForAllValues: is true when the key is absent: does not pin',
    allow('*', { 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    true,
  ],
  [
    'ForAnyValue: with IfExists does not pin',
    allow('*', { 'ForAnyValue:StringEqualsIfExists': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    true,
  ],
  [
    'one pinning key among other conditions is enough',
    allow('*', {
      Bool: { 'aws:SecureTransport': 'true' },
      StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
    }),
    false,
  ],
  [
    'a pinning condition also confines NotPrincipal',
    {
      Effect: 'Allow',
      NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 's3:GetObject',
      Resource: BUCKET,
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    },
    false,
  ],
];

describe('analyzePolicy: the meaning of public', () => {
  it('has a case for every documented rule', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%s', (_rule, statement, expected) => {
    const result = verdict(policyOf(statement));

    expect(result.public).toBe(expected);
    expect(result.publicStatementIndexes).toEqual(expected ? [0] : []);
  });
});

describe('analyzePolicy: reasons people read', () => {
  it('says a bare wildcard has no restricting condition', () => {
    const [statement] = verdict(policyOf(allow('*'))).statements;

    expect(statement?.reason).toBe('Allow to Principal * with no restricting condition');
  });

  it('names the pinning key and its value', () => {
    const [statement] = verdict(
      policyOf(allow('*', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })),
    ).statements;

    expect(statement?.reason).toBe('pinned by aws:SourceVpce = vpce-1a2b3c4d');
  });

  it('explains why a near-miss condition does not pin', () => {
    const [statement] = verdict(
      policyOf(allow('*', { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } })),
    ).statements;

    expect(statement?.reason).toContain('"0.0.0.0/1" is broader than /8');
  });

  it('explains IfExists', () => {
    const condition = { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } };
    const [statement] = verdict(policyOf(allow('*', condition))).statements;

    expect(statement?.reason).toContain('also matches requests without the key');
  });

  it('names the fixed principal', () => {
    const [statement] = verdict(policyOf(allow({ AWS: '111122223333' }))).statements;

    expect(statement?.reason).toBe('Principal is fixed (AWS 111122223333)');
  });

  it('says Deny grants nothing', () => {
    const [statement] = verdict(policyOf({ ...allow('*'), Effect: 'Deny' })).statements;

    expect(statement?.reason).toBe('Deny statement grants nothing');
  });
});

describe('analyzePolicy: whole policies', () => {
  it('finds the one public statement next to legitimate ones (the guide "Account-2" example)', () => {
    const policy = policyOf(
      { Sid: 'CloudTrail', ...allow({ Service: 'cloudtrail.amazonaws.com' }) },
      { Sid: 'Account2', ...allow({ AWS: 'arn:aws:iam::444455556666:root' }) },
      { Sid: 'Public', ...allow('*') },
    );

    const result = verdict(policy);

    expect(result.public).toBe(true);
    expect(result.publicStatementIndexes).toEqual([2]);
    expect(result.statements.map((statement) => statement.sid)).toEqual(['CloudTrail', 'Account2', 'Public']);
  });

  it('accepts Statement as a single object', () => {
    expect(verdict({ Version: '2012-10-17', Statement: allow('*') }).public).toBe(true);
  });

  it('is not public when every statement is pinned or fixed', () => {
    const policy = policyOf(
      allow({ AWS: '111122223333' }),
      allow('*', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
    );

    expect(verdict(policy).public).toBe(false);
  });

  it('reads the old CloudTrail encoding (bucketPolicy object with one-element arrays)', () => {
    const bucketPolicy = {
      Version: ['2012-10-17'],
      Statement: [
        {
          Sid: ['PublicRead'],
          Effect: ['Allow'],
          Principal: { AWS: ['*'] },
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::example-bucket/*'],
        },
      ],
    };

    const result = verdict(bucketPolicy);

    expect(result.public).toBe(true);
    expect(result.statements[0]?.sid).toBe('PublicRead');
  });

  it('reads a policy given as JSON text (GetBucketPolicy)', () => {
    expect(verdict(JSON.stringify(policyOf(allow('*')))).public).toBe(true);
  });

  it('treats an empty statement list as not public', () => {
    expect(verdict({ Statement: [] })).toEqual({ public: false, statements: [], publicStatementIndexes: [] });
  });
});
