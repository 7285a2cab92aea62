import { beforeAll, describe, expect, it } from 'vitest';
import { sessionNameFor } from '#shared/aws/cross-account.ts';
import { synthOrganization } from '../infra/support/org-synth.ts';
import { type PatternBus, patternBus, type RoutedEvent } from '../support/fault-injection.ts';
import { loadSampleEvent, localConfig, retargetEvent, uniqueBucketName } from '../support/local-env.ts';

/*
 * Organization mode, in a member account: the spoke template's forwarding rules (as the StackSet
 * deploys them, parameters from the StackSet itself) recreated on an emulator bus with one SQS
 * queue per rule, and CloudTrail-shaped events put on it. Warden's own calls (the member role the
 * hub assumes, the hub's guard roles) must not travel back to the hub; anyone else's must.
 */
const HUB_ACCOUNT = '210987654321';
const HUB_REGION = 'eu-west-1';
const MEMBER_ACCOUNT = '345678901234';
/** The spoke rules that exist in a member account's us-east-1 (root events are only delivered there). */
const MEMBER_REGION = 'us-east-1';
const SPOKE_RULES = [
  'S3Events',
  'AccountLevelEvents',
  'RootAccessKeyEvents',
  'RootSignInEvents',
  'RootCredentialEvents',
  'TamperKmsEvents',
  'TamperCloudTrailEvents',
  'TamperRulesEvents',
  'TamperRulesWatchEvents',
] as const;
type SpokeRule = (typeof SPOKE_RULES)[number];

/** `Ref` (to parameters and pseudo parameters) and `Fn::Join`; any other intrinsic is an error. */
function resolveIntrinsics(value: unknown, refs: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, refs));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) {
    const ref = String(record.Ref);
    const resolved = refs[ref];
    if (resolved === undefined) throw new Error(`No value for Ref ${ref}`);
    return resolved;
  }
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(part, refs))).join(separator);
  }
  const intrinsic = Object.keys(record).find((key) => key.startsWith('Fn::'));
  if (intrinsic) throw new Error(`Cannot resolve ${intrinsic}`);
  return Object.fromEntries(
    Object.entries(record).map(([key, inner]) => [key, resolveIntrinsics(inner, refs)]),
  );
}

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The spoke template and the parameter values the StackSet gives it, resolved in the hub's account and region. */
function deployedSpoke() {
  const { orgTemplate, organization } = synthOrganization();
  const [stackSet] = Object.values(orgTemplate.findResources('AWS::CloudFormation::StackSet'));
  if (!stackSet) throw new Error('The organization stack has no StackSet');
  const hubPseudo = { 'AWS::AccountId': HUB_ACCOUNT, 'AWS::Region': HUB_REGION, 'AWS::Partition': 'aws' };
  const parameters = Object.fromEntries(
    (stackSet.Properties.Parameters as { ParameterKey: string; ParameterValue: unknown }[]).map(
      ({ ParameterKey, ParameterValue }) => [
        ParameterKey,
        String(resolveIntrinsics(ParameterValue, hubPseudo)),
      ],
    ),
  );
  const resources = organization.spokeTemplate.Resources as Record<string, CfnResourceJson>;
  const ruleIds = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::Events::Rule');
  const memberRefs = {
    ...parameters,
    'AWS::AccountId': MEMBER_ACCOUNT,
    'AWS::Region': MEMBER_REGION,
    'AWS::Partition': 'aws',
  };
  const patterns = Object.fromEntries(
    SPOKE_RULES.map((id) => [
      id,
      resolveIntrinsics(resources[id]?.Properties.EventPattern, memberRefs) as Record<string, unknown>,
    ]),
  ) as Record<SpokeRule, Record<string, unknown>>;
  return { parameters, ruleIds, patterns };
}

/** A sample event as if it had happened in the member account (fresh eventID). */
function memberEvent(sample: string): RoutedEvent {
  return retargetEvent(loadSampleEvent(sample), {
    bucket: uniqueBucketName('spoke'),
    accountId: MEMBER_ACCOUNT,
  }) as unknown as RoutedEvent;
}

/** A PutBucketEncryption in the member account, made by the session `sessionName` of `roleArn`. */
function s3CallByRole(roleArn: string, sessionName: string): RoutedEvent {
  const event = memberEvent('s3/put-bucket-encryption-sse-s3.json');
  const [, , , , account] = roleArn.split(':');
  const roleName = roleArn.split('/').pop() ?? 'role';
  event.detail.userIdentity = {
    type: 'AssumedRole',
    principalId: `AROASPOKETEST:${roleName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    accessKeyId: 'ASIASPOKETESTKEY0001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROASPOKETEST',
        arn: roleArn,
        accountId: account,
        userName: roleName,
      },
      attributes: { creationDate: '2026-11-20T10:15:00Z', mfaAuthenticated: 'false' },
    },
  };
  return event;
}

/** The rules whose queue received the event. */
async function forwardingRules(bus: PatternBus<SpokeRule>, event: RoutedEvent): Promise<SpokeRule[]> {
  const received = await bus.put([event]);
  return SPOKE_RULES.filter((rule) =>
    received[rule].some((delivered) => delivered.detail.eventID === event.detail.eventID),
  );
}

describe("the spoke's forwarding rules, as deployed in a member account, in the emulator", () => {
  const spoke = deployedSpoke();
  let bus: PatternBus<SpokeRule>;

  beforeAll(async () => {
    bus = await patternBus(localConfig(), spoke.patterns);
  });

  it('are the rules under test, with the member role name the StackSet passes', () => {
    expect([...spoke.ruleIds].sort()).toEqual([...SPOKE_RULES].sort());
    expect(spoke.parameters).toMatchObject({
      HubAccountId: HUB_ACCOUNT,
      MemberRoleName: 'warden-remediation',
    });
  });

  it("do not forward an S3 change made by s3-guard's session on the member role in this account", async () => {
    const event = s3CallByRole(
      `arn:aws:iam::${MEMBER_ACCOUNT}:role/warden-remediation`,
      sessionNameFor('3f1c2a9e-5b7d-4e21-9c3a-event'),
    );

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it('forward an S3 change made by another session of the member role', async () => {
    const event = s3CallByRole(`arn:aws:iam::${MEMBER_ACCOUNT}:role/warden-remediation`, 'someone-else');

    expect(await forwardingRules(bus, event)).toEqual(['S3Events']);
  });

  it.each(['s3-guard', 'root-guard'])(
    "do not forward an S3 change made by the hub's %s function session",
    async (fn) => {
      const event = s3CallByRole(`arn:aws:iam::${HUB_ACCOUNT}:role/warden-${fn}-role`, `warden-${fn}`);

      expect(await forwardingRules(bus, event)).toEqual([]);
    },
  );

  it("forward an S3 change made by a hub guard role under another session (someone else's function)", async () => {
    const event = s3CallByRole(`arn:aws:iam::${HUB_ACCOUNT}:role/warden-s3-guard-role`, 'their-function');

    expect(await forwardingRules(bus, event)).toEqual(['S3Events']);
  });

  it('forward an S3 change made by an IAM user (no session issuer)', async () => {
    const event = memberEvent('s3/put-bucket-encryption-sse-s3-legacy.json');

    expect(await forwardingRules(bus, event)).toEqual(['S3Events']);
  });

  it("forward an S3 change made by a person's role session", async () => {
    const event = s3CallByRole(`arn:aws:iam::${MEMBER_ACCOUNT}:role/PlatformEngineer`, 'alice');

    expect(await forwardingRules(bus, event)).toEqual(['S3Events']);
  });

  it('do not forward a failed S3 call', async () => {
    const event = memberEvent('s3/delete-bucket-encryption-failed-call.json');

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it('forward an account-level Block Public Access change by anyone but Warden, S3 rule or account-level rule alike', async () => {
    const event = memberEvent('s3/put-account-public-access-block-partial.json');

    // Both patterns match; which rule exists in a region is the template's condition (watched or not).
    expect(await forwardingRules(bus, event)).toEqual(['S3Events', 'AccountLevelEvents']);
  });

  it("do not forward s3-guard's own account-level repair through the member role", async () => {
    const event = memberEvent('s3/put-account-public-access-block-partial.json');
    const identity = event.detail.userIdentity as Record<string, unknown>;
    identity.arn = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/warden-remediation/${sessionNameFor('e1')}`;

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it('forward nothing but account-level changes through the account-level rule', async () => {
    const event = memberEvent('s3/delete-bucket-public-access-block.json');

    expect(await forwardingRules(bus, event)).toEqual(['S3Events']);
  });

  it.each([
    ['kms/schedule-key-deletion.json', 'TamperKmsEvents'],
    ['cloudtrail/stop-logging.json', 'TamperCloudTrailEvents'],
  ])('forward %s to tamper-guard', async (sample, rule) => {
    expect(await forwardingRules(bus, memberEvent(sample))).toEqual([rule]);
  });

  it("do not forward tamper-guard's own repair through the member role", async () => {
    const event = memberEvent('kms/put-key-policy-public.json');
    const identity = event.detail.userIdentity as Record<string, unknown>;
    identity.arn = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/warden-remediation/${sessionNameFor('e2')}`;

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it.each([
    ['warden-spoke-s3', ['TamperRulesEvents']],
    ['warden-spoke-tamper-rules-watch', ['TamperRulesEvents']],
    ['warden-spoke-tamper-rules', ['TamperRulesWatchEvents']],
    ['team-nightly-report', []],
  ])(
    'forward a change to rule %s by the rule that watches it, never by the rule itself',
    async (name, rules) => {
      const event = memberEvent('events/disable-rule.json');
      (event.detail.requestParameters as Record<string, unknown>).name = name;

      expect(await forwardingRules(bus, event)).toEqual(rules);
    },
  );

  it("forward root creating root's own access key", async () => {
    const event = memberEvent('iam/root-create-access-key.json');

    expect(await forwardingRules(bus, event)).toEqual(['RootAccessKeyEvents']);
  });

  it('do not forward root creating an access key for an IAM user', async () => {
    const event = memberEvent('iam/root-create-access-key-for-iam-user.json');

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it('forward a successful root console sign-in', async () => {
    const event = memberEvent('signin/root-console-login-no-mfa.json');

    expect(await forwardingRules(bus, event)).toEqual(['RootSignInEvents']);
  });

  it.each(['iam/root-deactivate-mfa-device.json', 'iam/root-create-login-profile-member.json'])(
    'forward the root user’s own MFA and password changes (%s)',
    async (file) => {
      expect(await forwardingRules(bus, memberEvent(file))).toEqual(['RootCredentialEvents']);
    },
  );

  it('do not forward an administrator deactivating an IAM user’s MFA device', async () => {
    const event = memberEvent('iam/iam-admin-deactivate-user-mfa-device.json');

    expect(await forwardingRules(bus, event)).toEqual([]);
  });

  it('do not forward a failed root console sign-in', async () => {
    const event = memberEvent('signin/root-console-login-failed.json');

    expect(await forwardingRules(bus, event)).toEqual([]);
  });
});
