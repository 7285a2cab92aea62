import { KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import { BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import { sweepCall } from '#shared/events/sweep-call.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { ACCOUNT_ID, DENY_INSECURE_TRANSPORT, loadApiCall } from '../../fixtures.ts';
import {
  ALL_ON,
  SSE_KMS,
  SSE_S3,
  setupGuard,
  stubHealthyBucket,
  TLS_ONLY_POLICY,
} from '../remediation/guard-harness.ts';

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const policyWith = (statement: Record<string, unknown>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [DENY_INSECURE_TRANSPORT, statement] });
const PUBLIC_POLICY = policyWith({
  Sid: 'Public',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
});
const FOREIGN_POLICY = policyWith({
  Sid: 'Foreign',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::999988887777:root' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-bucket/*',
});
const PUBLIC_ACL = {
  Owner: { ID: 'owner' },
  Grants: [
    { Grantee: { Type: 'CanonicalUser' as const, ID: 'owner' }, Permission: 'FULL_CONTROL' as const },
    {
      Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ' as const,
    },
  ],
};
const PRIVATE_ACL = { Owner: { ID: 'owner' }, Grants: PUBLIC_ACL.Grants.slice(0, 1) };

/**
 * One row per bucket control: a live state that violates it (and reads as fixed after Warden's write),
 * and an event that triggers it. The event path and the sweep must decide the same for that control.
 */
const CASES: {
  readonly control: string;
  readonly event: string;
  readonly arrange: () => void;
}[] = [
  {
    control: 's3-encryption-kms',
    event: 's3/put-bucket-encryption-sse-s3.json',
    arrange: () => s3Mock.on(GetBucketEncryptionCommand).resolvesOnce(SSE_S3).resolves(SSE_KMS),
  },
  {
    control: 's3-bucket-public-access-block',
    event: 's3/put-bucket-public-access-block-partial.json',
    arrange: () =>
      s3Mock
        .on(GetPublicAccessBlockCommand)
        .resolvesOnce({
          PublicAccessBlockConfiguration: {
            ...ALL_ON.PublicAccessBlockConfiguration,
            BlockPublicPolicy: false,
          },
        })
        .resolves(ALL_ON),
  },
  {
    control: 's3-public-policy',
    event: 's3/put-bucket-policy-public.json',
    arrange: () =>
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: PUBLIC_POLICY })
        .resolves({ Policy: TLS_ONLY_POLICY }),
  },
  {
    control: 's3-foreign-access',
    event: 's3/put-bucket-policy-foreign-account.json',
    arrange: () =>
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: FOREIGN_POLICY })
        .resolves({ Policy: TLS_ONLY_POLICY }),
  },
  {
    control: 's3-public-acl',
    event: 's3/put-bucket-acl-public-read.json',
    arrange: () => s3Mock.on(GetBucketAclCommand).resolvesOnce(PUBLIC_ACL).resolves(PRIVATE_ACL),
  },
  {
    control: 's3-secure-transport',
    event: 's3/put-bucket-policy-compliant.json',
    arrange: () => s3Mock.on(GetBucketPolicyCommand).resolvesOnce({}).resolves({ Policy: TLS_ONLY_POLICY }),
  },
];

const MODES = ['enforce', 'detect'] as const;

const decisionOf = (outcomes: readonly ControlOutcome[], control: string) =>
  outcomes
    .filter((outcome) => outcome.controlId === control)
    .map(({ status, actions, severity }) => ({ status, actions, severity }));

function arrange(row: (typeof CASES)[number]) {
  stubHealthyBucket(s3Mock, kmsMock);
  s3Mock.on(GetBucketEncryptionCommand).resolves(SSE_KMS);
  s3Mock.on(PutBucketEncryptionCommand).resolves({});
  s3Mock.on(PutPublicAccessBlockCommand).resolves({});
  s3Mock.on(PutBucketPolicyCommand).resolves({});
  s3Mock.on(PutBucketAclCommand).resolves({});
  row.arrange();
}

async function decide(row: (typeof CASES)[number], policy: Partial<PolicyInput>, path: 'event' | 'sweep') {
  arrange(row);
  const call =
    path === 'event'
      ? loadApiCall(row.event)
      : sweepCall({
          sweepId: 'agree',
          startedAt: '2026-11-20T10:00:00.000Z',
          accountId: ACCOUNT_ID,
          region: 'us-east-1',
          bucket: 'example-bucket',
        });
  const { guard } = setupGuard(policy, { sweep: path === 'sweep' });
  return guard(call);
}

describe('the sweep decides as the event path does', () => {
  beforeEach(() => stubHealthyBucket(s3Mock, kmsMock));

  it('covers every bucket control in the registry', () => {
    expect(CASES.map((row) => row.control).sort()).toEqual(
      BUCKET_CONTROLS.map((control) => control.id).sort(),
    );
  });

  for (const row of CASES)
    for (const mode of MODES)
      it(`${row.control} in ${mode} mode: same status, severity and actions on the same live state`, async () => {
        const policy = { controls: { [row.control]: { mode } } } as Partial<PolicyInput>;

        const event = await decide(row, policy, 'event');
        const sweep = await decide(row, policy, 'sweep');

        const expected = decisionOf(event.outcomes, row.control);
        expect(expected).toHaveLength(1);
        expect(expected[0]?.status).toBe(mode === 'enforce' ? 'REMEDIATED' : 'DETECTED');
        expect(decisionOf(sweep.outcomes, row.control)).toEqual(expected);
      });

  it('leaves a compliant bucket alone on both paths', async () => {
    const row = CASES[0] as (typeof CASES)[number];
    const sweep = await decide({ ...row, arrange: () => {} }, {}, 'sweep');

    expect(sweep.outcomes).toHaveLength(BUCKET_CONTROLS.length);
    expect(sweep.outcomes.every((outcome) => outcome.status === 'ALREADY_COMPLIANT')).toBe(true);
    expect(s3Mock.commandCalls(PutBucketEncryptionCommand)).toHaveLength(0);
  });

  it('skips an exempt bucket on both paths', async () => {
    const policy: Partial<PolicyInput> = {
      s3: { exemptBuckets: [{ bucket: 'example-bucket', reason: 'test fixture' }] },
    } as Partial<PolicyInput>;
    const row = CASES[0] as (typeof CASES)[number];

    const event = await decide(row, policy, 'event');
    const sweep = await decide(row, policy, 'sweep');

    expect(event.status).toBe('IGNORED');
    expect(sweep.status).toBe('IGNORED');
    expect(s3Mock.commandCalls(PutBucketEncryptionCommand)).toHaveLength(0);
  });

  it('the event guard refuses the sweep call and the sweep guard refuses events', async () => {
    const eventGuard = setupGuard({}).guard;
    const sweepGuard = setupGuard({}, { sweep: true }).guard;

    const sweepResult = await eventGuard(
      sweepCall({
        sweepId: 'x',
        startedAt: '2026-11-20T10:00:00.000Z',
        accountId: ACCOUNT_ID,
        region: 'us-east-1',
        bucket: 'example-bucket',
      }),
    );
    const eventResult = await sweepGuard(loadApiCall('s3/put-bucket-encryption-sse-s3.json'));

    expect(sweepResult.status).toBe('IGNORED');
    expect(eventResult.status).toBe('IGNORED');
  });
});
