import { describe, expect, it } from 'vitest';
import { s3PublicPolicy } from '#shared/controls/s3-public-policy.ts';
import { s3SecureTransport } from '#shared/controls/s3-secure-transport.ts';
import type { BucketControl, EvaluationContext } from '#shared/controls/types.ts';
import { ALL_BLOCKED, type BucketState } from '#shared/model/bucket.ts';
import type { BucketAction } from '#shared/model/bucket-actions.ts';
import { MAX_BUCKET_POLICY_BYTES, SECURE_TRANSPORT_SID } from '#shared/model/policy/secure-transport.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { ACCOUNT_ID, DENY_INSECURE_TRANSPORT, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const contextWith = (policy: Partial<PolicyInput> = {}, region = 'us-east-1'): EvaluationContext => ({
  policy: makePolicy(policy),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region,
});
const context = contextWith();
const enforcing = contextWith({ controls: { 's3-secure-transport': { mode: 'enforce' } } });
const bucket = (parts: Partial<BucketState>): BucketState => ({
  bucket: 'example-bucket',
  accountId: ACCOUNT_ID,
  baselinePolicy: null,
  ...parts,
});
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
function planOf(control: BucketControl, state: BucketState, ctx: EvaluationContext) {
  const finding = control.check(state, ctx);
  if (!finding) throw new Error(`${control.id} found nothing to fix`);
  return control.fix(finding, state, ctx);
}
const actionsOf = (plan: ReturnType<typeof planOf>): readonly BucketAction[] =>
  'actions' in plan ? plan.actions : [];
const writtenPolicy = (plan: ReturnType<typeof planOf>) => {
  const [action] = actionsOf(plan);
  if (action?.type !== 'PutBucketPolicy') throw new Error(`expected a PutBucketPolicy, got ${action?.type}`);
  return JSON.parse(action.policy) as { Version?: string; Statement: Record<string, unknown>[] };
};

const BUCKET_ARN = 'arn:aws:s3:::example-bucket';
const TLS_DENY = DENY_INSECURE_TRANSPORT;
const TEAM = {
  Sid: 'Team',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:role/team` },
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
};
/** A legitimate statement padded so the policy holding it (and `others`) is just under 20 KB. */
function crowdedTeam(...others: object[]) {
  const actions: string[] = [];
  while (policy({ ...TEAM, Action: actions }, ...others).length < MAX_BUCKET_POLICY_BYTES - 100)
    actions.push(`s3:GetObject${actions.length}`);
  return { ...TEAM, Action: actions };
}
const PUBLIC = {
  Sid: 'Public',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
};

describe('s3-secure-transport check', () => {
  it.each([
    ['the usual statement', TLS_DENY],
    ['BoolIfExists', { ...TLS_DENY, Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }],
    ['a JSON boolean false', { ...TLS_DENY, Condition: { Bool: { 'aws:SecureTransport': false } } }],
    [
      'a lower-case key and {"AWS": "*"}',
      { ...TLS_DENY, Principal: { AWS: '*' }, Condition: { Bool: { 'aws:securetransport': 'false' } } },
    ],
    ['Action "*" and Resource "*"', { ...TLS_DENY, Action: '*', Resource: '*' }],
    ['a wildcard bucket ARN', { ...TLS_DENY, Resource: 'arn:aws:s3:::example-bucket*' }],
  ])('is compliant with %s', (_label, statement) => {
    expect(s3SecureTransport.check(bucket({ policy: policy(TEAM, statement) }), context)).toBeUndefined();
  });

  it('is compliant when two Deny statements cover the bucket and its objects between them', () => {
    const state = bucket({
      policy: policy(
        { ...TLS_DENY, Sid: 'B', Resource: BUCKET_ARN },
        { ...TLS_DENY, Sid: 'O', Resource: `${BUCKET_ARN}/*` },
      ),
    });

    expect(s3SecureTransport.check(state, context)).toBeUndefined();
  });

  it('judges the ARN of the bucket partition (China regions)', () => {
    const chinaArn = 'arn:aws-cn:s3:::example-bucket';
    const china = { ...TLS_DENY, Resource: [chinaArn, `${chinaArn}/*`] };

    expect(
      s3SecureTransport.check(bucket({ policy: policy(china) }), contextWith({}, 'cn-north-1')),
    ).toBeUndefined();
    expect(s3SecureTransport.check(bucket({ policy: policy(china) }), context)).toBeDefined();
  });

  it('finds a bucket without a policy', () => {
    const finding = s3SecureTransport.check(bucket({ policy: null }), context);

    expect(finding).toMatchObject({ controlId: 's3-secure-transport', observed: null });
    expect(finding?.summary).toContain('has no bucket policy');
  });

  it.each([
    ['no TLS statement at all', policy(TEAM)],
    [
      '"true" instead of "false"',
      policy({ ...TLS_DENY, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
    ],
    ['an Allow', policy({ ...TLS_DENY, Effect: 'Allow' })],
    ['one principal only', policy({ ...TLS_DENY, Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` } })],
    ['a few actions only', policy({ ...TLS_DENY, Action: ['s3:GetObject', 's3:PutObject'] })],
    ['a NotAction', policy({ ...(({ Action: _a, ...rest }) => rest)(TLS_DENY), NotAction: 's3:GetObject' })],
    [
      'a second condition narrowing the Deny',
      policy({
        ...TLS_DENY,
        Condition: {
          Bool: { 'aws:SecureTransport': 'false' },
          StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' },
        },
      }),
    ],
    ['the objects only', policy({ ...TLS_DENY, Resource: `${BUCKET_ARN}/*` })],
    ['the bucket only', policy({ ...TLS_DENY, Resource: BUCKET_ARN })],
    ['one prefix of objects', policy({ ...TLS_DENY, Resource: [BUCKET_ARN, `${BUCKET_ARN}/logs/*`] })],
  ])('finds a policy with %s', (_label, text) => {
    expect(s3SecureTransport.check(bucket({ policy: text }), context)).toMatchObject({
      controlId: 's3-secure-transport',
      resource: 'example-bucket',
    });
  });

  it('names what a partial Deny leaves uncovered', () => {
    const finding = s3SecureTransport.check(
      bucket({ policy: policy({ ...TLS_DENY, Resource: BUCKET_ARN }) }),
      context,
    );

    expect(finding?.summary).toContain('does not cover its objects');
  });

  it('leaves an unreadable policy to the public-policy control, unless that one is off', () => {
    const state = bucket({ policy: '{"Statement": 42' });

    expect(s3SecureTransport.check(state, context)).toBeUndefined();
    expect(
      s3SecureTransport.check(state, contextWith({ controls: { 's3-public-policy': { mode: 'off' } } })),
    ).toMatchObject({ summary: expect.stringContaining('cannot read the policy') });
  });
});

describe('s3-secure-transport fix', () => {
  it('merges one Deny into the existing policy, keeping every other statement as it was', () => {
    const written = writtenPolicy(planOf(s3SecureTransport, bucket({ policy: policy(TEAM) }), context));

    expect(written.Version).toBe('2012-10-17');
    expect(written.Statement).toEqual([
      TEAM,
      {
        Sid: SECURE_TRANSPORT_SID,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('creates the policy when the bucket has none', () => {
    const plan = planOf(s3SecureTransport, bucket({ policy: null }), context);

    expect(writtenPolicy(plan).Statement.map((statement) => statement.Sid)).toEqual([SECURE_TRANSPORT_SID]);
    expect(actionsOf(plan)[0]).toMatchObject({ why: expect.stringMatching(/^wrote a policy holding only/) });
  });

  it('adds nothing more once merged: the merged policy is compliant, so a second run plans nothing', () => {
    const merged = writtenPolicy(planOf(s3SecureTransport, bucket({ policy: policy(TEAM) }), context));

    expect(s3SecureTransport.check(bucket({ policy: JSON.stringify(merged) }), context)).toBeUndefined();
  });

  it('gives its statement a free Sid when another statement holds WardenDenyInsecureTransport', () => {
    const squatter = { ...TEAM, Sid: SECURE_TRANSPORT_SID };

    const sids = writtenPolicy(
      planOf(s3SecureTransport, bucket({ policy: policy(squatter) }), context),
    ).Statement.map((statement) => statement.Sid);

    expect(sids).toEqual([SECURE_TRANSPORT_SID, `${SECURE_TRANSPORT_SID}2`]);
  });

  it('is blocked, naming the limit, when the merged policy would exceed 20 KB', () => {
    const text = policy(crowdedTeam());
    expect(text.length).toBeLessThan(MAX_BUCKET_POLICY_BYTES);

    const plan = planOf(s3SecureTransport, bucket({ policy: text }), context);

    expect(plan).toEqual({
      blocked: expect.stringContaining(`over S3's limit of ${MAX_BUCKET_POLICY_BYTES} bytes`),
    });
  });

  it('is blocked for a policy Warden cannot read', () => {
    const state = bucket({ policy: '{"Statement": 42' });
    const off = contextWith({ controls: { 's3-public-policy': { mode: 'off' } } });

    expect(planOf(s3SecureTransport, state, off)).toEqual({
      blocked: expect.stringContaining('cannot read'),
    });
  });
});

describe('s3-secure-transport with the public-policy rollback in the same event', () => {
  const state = bucket({ policy: policy(TEAM, PUBLIC), publicAccessBlock: ALL_BLOCKED });

  it('plans one write carrying both when both enforce: the public statement out, the TLS Deny in', () => {
    const publicPlan = planOf(s3PublicPolicy, state, enforcing);
    const tlsPlan = planOf(s3SecureTransport, state, enforcing);

    expect(actionsOf(tlsPlan)).toEqual(actionsOf(publicPlan));
    expect(writtenPolicy(publicPlan).Statement.map((statement) => statement.Sid)).toEqual([
      'Team',
      SECURE_TRANSPORT_SID,
    ]);
    expect(actionsOf(publicPlan)[0]).toMatchObject({
      why: expect.stringMatching(
        /^removed 1 offending statement \(Public\).*; added the statement "WardenDenyInsecureTransport"/,
      ),
    });
  });

  it('leaves the TLS Deny out of the public rollback while secure transport only detects', () => {
    expect(
      writtenPolicy(planOf(s3PublicPolicy, state, context)).Statement.map((statement) => statement.Sid),
    ).toEqual(['Team']);
  });

  it('writes the TLS Deny instead of deleting a policy that held only the public statement', () => {
    const plan = planOf(
      s3PublicPolicy,
      bucket({ policy: policy(PUBLIC), publicAccessBlock: ALL_BLOCKED }),
      enforcing,
    );

    expect(writtenPolicy(plan).Statement.map((statement) => statement.Sid)).toEqual([SECURE_TRANSPORT_SID]);
  });

  it('brings back a dropped TLS Deny from the last-known-good policy once, never twice', () => {
    const baselinePolicy = { policy: policy(TEAM, TLS_DENY), observedAt: 't0', eventId: 'e0' };
    const dropped = bucket({ policy: policy(TEAM, PUBLIC), publicAccessBlock: ALL_BLOCKED, baselinePolicy });

    for (const ctx of [context, enforcing]) {
      const statements = writtenPolicy(planOf(s3PublicPolicy, dropped, ctx)).Statement;
      expect(statements.map((statement) => statement.Sid)).toEqual(['Team', 'DenyInsecureTransport']);
    }
  });

  it('still rolls the public statement back when the TLS Deny would not fit in 20 KB', () => {
    const crowded = bucket({ policy: policy(crowdedTeam(), PUBLIC), publicAccessBlock: ALL_BLOCKED });

    expect(planOf(s3SecureTransport, crowded, enforcing)).toEqual({ blocked: expect.any(String) });
    expect(
      writtenPolicy(planOf(s3PublicPolicy, crowded, enforcing)).Statement.map((statement) => statement.Sid),
    ).toEqual(['Team']);
  });
});
