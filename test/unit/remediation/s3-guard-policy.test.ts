import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { loadApiCall, loadEvent, WARDEN_KEY_ARN } from '../../fixtures.ts';
import { awsError, baselineSlot, setupGuard as harnessGuard, NOW, sampleSlot } from './guard-harness.ts';

/**
 * These tests are about the public-policy and foreign-access controls: the secure-transport control, which
 * judges the same policies, is off unless a test sets it (s3-guard-secure-transport.test.ts covers it).
 */
const setupGuard: typeof harnessGuard = (policy = {}, options) =>
  harnessGuard(
    { ...policy, controls: { 's3-secure-transport': { mode: 'off' }, ...policy.controls } },
    options,
  );

const s3Mock = mockClient(S3Client);
const kmsMock = mockClient(KMSClient);

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ALL_OFF = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

/** The policy a sample event put, as S3 would return it from GetBucketPolicy. */
function policyOf(file: string): string {
  const detail = loadEvent(file).detail as { requestParameters: { bucketPolicy: unknown } };
  return JSON.stringify(detail.requestParameters.bucketPolicy);
}
/** `Statement` is an object or a list; always a list here. */
const statementsOf = (file: string): unknown[] =>
  [(JSON.parse(policyOf(file)) as { Statement: unknown }).Statement].flat();

const COMPLIANT = policyOf('s3/put-bucket-policy-compliant.json');

function sentPolicy(): unknown {
  const input = s3Mock.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input;
  return input?.Policy === undefined ? undefined : JSON.parse(input.Policy);
}

describe('s3-guard: bucket policies', () => {
  beforeEach(() => {
    s3Mock.reset();
    kmsMock.reset();
    kmsMock
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', Enabled: true } });
    s3Mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
  });

  it('exports every event name s3-guard handles, for the EventBridge rule', () => {
    expect([...S3_GUARD_EVENT_NAMES].sort()).toEqual(
      [
        'CreateBucket',
        'DeleteBucket',
        'PutBucketEncryption',
        'DeleteBucketEncryption',
        'PutBucketPublicAccessBlock',
        'DeleteBucketPublicAccessBlock',
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'PutBucketAcl',
        'PutBucketOwnershipControls',
        'DeleteBucketOwnershipControls',
        'PutAccountPublicAccessBlock',
        'DeleteAccountPublicAccessBlock',
      ].sort(),
    );
  });

  it('deletes a policy that held only the public statement when no baseline exists, and turns on Block Public Access', async () => {
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyOf('s3/put-bucket-policy-public.json') })
      .rejects(awsError('NoSuchBucketPolicy', 404));
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_OFF })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    expect(result.outcomes).toMatchObject([
      { controlId: 's3-public-policy', status: 'REMEDIATED' },
      { controlId: 's3-foreign-access', status: 'ALREADY_COMPLIANT' },
    ]);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, {
      Bucket: 'example-bucket',
      ExpectedBucketOwner: '123456789012',
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: 'example-bucket',
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(alerts).toHaveLength(1);
  });

  it('quotes the offending statement and says what was removed', async () => {
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyOf('s3/put-bucket-policy-public.json') })
      .rejects(awsError('NoSuchBucketPolicy', 404));
    const { guard, alerts } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    const outcome = result.outcomes[0];
    expect(outcome?.reason).toContain('"PublicRead" {"Sid":"PublicRead","Effect":"Allow","Principal":"*"');
    expect(outcome?.actions).toEqual([
      expect.stringMatching(
        /^Deleted the bucket policy: the policy held only 1 offending statement \(PublicRead\): "PublicRead"/,
      ),
    ]);
    expect(alerts[0]?.summary).toContain('PublicRead');
  });

  it('removes only the public statement and keeps the legitimate ones exactly', async () => {
    const file = 's3/put-bucket-policy-public-next-to-legit.json';
    const [legit, , tls] = statementsOf(file);
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyOf(file) })
      .resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [legit, tls] }) });
    const { guard } = setupGuard();

    const result = await guard(loadApiCall(file));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED' });
    expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [legit, tls] });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
  });

  it('never grants back what the owner removed: baseline {Keep, Revoked}, change {Keep, PublicRead} leaves {Keep}', async () => {
    const keep = {
      Sid: 'Keep',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/app' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-bucket/*',
    };
    const revoked = {
      ...keep,
      Sid: 'Revoked',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/compromised' },
    };
    const publicRead = {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: '*',
    };
    const policyWith = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyWith(keep, publicRead) })
      .resolves({ Policy: policyWith(keep) });
    const { guard } = setupGuard(
      {},
      {
        baselines: {
          [sampleSlot('example-bucket')]: {
            policy: policyWith(keep, revoked),
            observedAt: '2026-11-01T00:00:00Z',
            eventId: 'e0',
          },
        },
      },
    );

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [keep] });
    expect(result.outcomes[0]).toMatchObject({
      status: 'REMEDIATED',
      actions: [expect.stringContaining('did not bring back 1 earlier Allow statement (Revoked)')],
    });
  });

  it('brings back a Deny of the last-known-good policy that the change dropped', async () => {
    const [legit, , tls] = statementsOf('s3/put-bucket-policy-public-next-to-legit.json');
    const publicRead = {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: '*',
    };
    const withoutDeny = JSON.stringify({ Version: '2012-10-17', Statement: [legit, publicRead] });
    s3Mock.on(GetBucketPolicyCommand).resolvesOnce({ Policy: withoutDeny }).resolves({ Policy: COMPLIANT });
    const { guard } = setupGuard(
      {},
      {
        baselines: {
          [sampleSlot('example-bucket')]: {
            policy: COMPLIANT,
            observedAt: '2026-11-01T00:00:00Z',
            eventId: 'e0',
          },
        },
      },
    );

    const result = await guard(loadApiCall('s3/put-bucket-policy-public-next-to-legit.json'));

    expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [legit, tls] });
    expect(result.outcomes[0]?.actions[0]).toContain('brought back 1 Deny statement (DenyInsecureTransport)');
  });

  it('uses only the baseline of the bucket of this account and region, never a same-named one elsewhere', async () => {
    const [legit, , tls] = statementsOf('s3/put-bucket-policy-public-next-to-legit.json');
    const publicRead = {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: '*',
    };
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [legit, publicRead] }) })
      .resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [legit] }) });
    const elsewhere = { policy: COMPLIANT, observedAt: '2026-11-01T00:00:00Z', eventId: 'e0' };
    const { guard } = setupGuard(
      {},
      {
        baselines: {
          [baselineSlot({ accountId: '444455556666', region: 'us-east-1', bucket: 'example-bucket' })]:
            elsewhere,
          [baselineSlot({ accountId: '123456789012', region: 'eu-west-1', bucket: 'example-bucket' })]:
            elsewhere,
        },
      },
    );

    await guard(loadApiCall('s3/put-bucket-policy-public-next-to-legit.json'));

    expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [legit] });
    expect(sentPolicy()).not.toEqual({ Version: '2012-10-17', Statement: [legit, tls] });
  });

  it('restores "no policy" when that was the last-known-good state and the policy held nothing else', async () => {
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyOf('s3/put-bucket-policy-public.json') })
      .rejects(awsError('NoSuchBucketPolicy', 404));
    const { guard } = setupGuard(
      {},
      {
        baselines: {
          [sampleSlot('example-bucket')]: { policy: null, observedAt: '2026-11-01T00:00:00Z', eventId: 'e0' },
        },
      },
    );

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED', after: { policy: null } });
    expect(s3Mock).toHaveReceivedCommand(DeleteBucketPolicyCommand);
  });

  it('keeps the legitimate statements added next to a public one, even when "no policy" was last-known-good', async () => {
    const current = policyOf('s3/put-bucket-policy-public-next-to-legit.json');
    const legitimate = {
      ...JSON.parse(current),
      Statement: JSON.parse(current).Statement.filter((statement: { Sid?: string }) =>
        ['AllowAnalyticsRole', 'DenyInsecureTransport'].includes(statement.Sid ?? ''),
      ),
    };
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: current })
      .resolves({ Policy: JSON.stringify(legitimate) });
    const { guard } = setupGuard(
      { controls: { 's3-foreign-access': { mode: 'off' } } },
      {
        baselines: {
          [sampleSlot('example-bucket')]: { policy: null, observedAt: '2026-11-01T00:00:00Z', eventId: 'e0' },
        },
      },
    );

    const result = await guard(loadApiCall('s3/put-bucket-policy-public-next-to-legit.json'));

    expect(result.outcomes[0]).toMatchObject({ controlId: 's3-public-policy', status: 'REMEDIATED' });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
    const written = JSON.parse(
      s3Mock.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '{}',
    ) as { Statement: { Sid?: string }[] };
    expect(written.Statement.map((statement) => statement.Sid)).toEqual([
      'AllowAnalyticsRole',
      'DenyInsecureTransport',
    ]);
  });

  it('leaves a wildcard statement pinned by aws:SourceVpce alone', async () => {
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: policyOf('s3/put-bucket-policy-vpce-pinned.json') });
    const { guard, alerts } = setupGuard({ controls: { 's3-foreign-access': { mode: 'off' } } });

    const result = await guard(loadApiCall('s3/put-bucket-policy-vpce-pinned.json'));

    expect(result.outcomes).toMatchObject([{ controlId: 's3-public-policy', status: 'ALREADY_COMPLIANT' }]);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
    expect(alerts).toHaveLength(0);
  });

  it('handles the legacy encoding (bucketPolicy object, one-element arrays) like the current one', async () => {
    s3Mock
      .on(GetBucketPolicyCommand)
      .resolvesOnce({ Policy: policyOf('s3/put-bucket-policy-public.json') })
      .rejects(awsError('NoSuchBucketPolicy', 404));
    const { guard } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-policy-public-legacy.json'));

    expect(result.outcomes[0]).toMatchObject({ status: 'REMEDIATED', resource: 'example-bucket' });
  });

  describe('foreign access', () => {
    const file = 's3/put-bucket-policy-foreign-account.json';

    it('only reports a foreign statement by default (detect)', async () => {
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: policyOf(file) });
      const { guard, alerts, baselines } = setupGuard();

      const result = await guard(loadApiCall(file));

      expect(result.outcomes).toMatchObject([
        { controlId: 's3-public-policy', status: 'ALREADY_COMPLIANT' },
        {
          controlId: 's3-foreign-access',
          status: 'DETECTED',
          reason: expect.stringContaining('444455556666'),
          actions: [expect.stringContaining('"PartnerRead"')],
        },
      ]);
      expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
      expect(alerts[0]?.title).toContain('found a risky change');
      expect(baselines.size).toBe(0);
    });

    it('removes the foreign statement in enforce mode and keeps the rest', async () => {
      const [legit] = statementsOf(file);
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: policyOf(file) })
        .resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [legit] }) });
      const { guard } = setupGuard({ controls: { 's3-foreign-access': { mode: 'enforce' } } });

      const result = await guard(loadApiCall(file));

      expect(result.outcomes[1]).toMatchObject({ controlId: 's3-foreign-access', status: 'REMEDIATED' });
      expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [legit] });
    });

    it('accepts an account the policy file allows', async () => {
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: policyOf(file) });
      const { guard, alerts } = setupGuard({ s3: { allowedAccountIds: ['444455556666'] } });

      const result = await guard(loadApiCall(file));

      expect(result.outcomes.map((o) => o.status)).toEqual(['ALREADY_COMPLIANT', 'ALREADY_COMPLIANT']);
      expect(alerts).toHaveLength(0);
    });

    it('writes one policy when both policy controls enforce', async () => {
      const mixed = JSON.stringify({
        Version: '2012-10-17',
        Statement: [...statementsOf(file), ...statementsOf('s3/put-bucket-policy-public.json')],
      });
      const [legit] = statementsOf(file);
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: mixed })
        .resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [legit] }) });
      const { guard } = setupGuard({ controls: { 's3-foreign-access': { mode: 'enforce' } } });

      const result = await guard(loadApiCall(file));

      expect(result.outcomes.map((o) => o.status)).toEqual(['REMEDIATED', 'REMEDIATED']);
      expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
      expect(sentPolicy()).toEqual({ Version: '2012-10-17', Statement: [legit] });
    });
  });

  describe('baseline bookkeeping', () => {
    it('records a compliant policy as the baseline, without alert', async () => {
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: COMPLIANT });
      const { guard, alerts, baselines } = setupGuard();

      const result = await guard(loadApiCall('s3/put-bucket-policy-compliant.json'));

      expect(result.outcomes.map((o) => o.status)).toEqual(['ALREADY_COMPLIANT', 'ALREADY_COMPLIANT']);
      expect(baselines.get(sampleSlot('example-bucket'))).toEqual({
        policy: COMPLIANT,
        observedAt: NOW.toISOString(),
        eventId: result.eventId,
      });
      expect(alerts).toHaveLength(0);
    });

    it('records "no policy" on DeleteBucketPolicy, without any write or alert', async () => {
      s3Mock.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
      const { guard, alerts, baselines } = setupGuard(
        {},
        {
          baselines: {
            [sampleSlot('example-bucket')]: {
              policy: COMPLIANT,
              observedAt: '2026-11-01T00:00:00Z',
              eventId: 'e0',
            },
          },
        },
      );

      const result = await guard(loadApiCall('s3/delete-bucket-policy.json'));

      expect(result.status).toBe('PROCESSED');
      expect(baselines.get(sampleSlot('example-bucket'))).toMatchObject({ policy: null });
      expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
      expect(s3Mock).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
      expect(alerts).toHaveLength(0);
    });

    it('rolls a second change back to the baseline the first change left', async () => {
      const publicPolicy = policyOf('s3/put-bucket-policy-public-next-to-legit.json');
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: COMPLIANT })
        .resolvesOnce({ Policy: publicPolicy })
        .resolves({ Policy: COMPLIANT });
      const old = { policy: '{"Statement":[]}', observedAt: '2026-10-01T00:00:00Z', eventId: 'e0' };
      const { guard, baselines } = setupGuard({}, { baselines: { [sampleSlot('example-bucket')]: old } });

      await guard(loadApiCall('s3/put-bucket-policy-compliant.json'));
      const second = await guard(loadApiCall('s3/put-bucket-policy-public-next-to-legit.json'));

      expect(second.outcomes[0]).toMatchObject({ status: 'REMEDIATED' });
      expect(s3Mock).toHaveReceivedCommandWith(PutBucketPolicyCommand, { Policy: COMPLIANT });
      expect(baselines.get(sampleSlot('example-bucket'))?.policy).toBe(COMPLIANT);
    });

    it('keeps the stripped policy as the new baseline once it reads back compliant', async () => {
      const file = 's3/put-bucket-policy-public-next-to-legit.json';
      const [legit, , tls] = statementsOf(file);
      const stripped = JSON.stringify({ Version: '2012-10-17', Statement: [legit, tls] });
      s3Mock
        .on(GetBucketPolicyCommand)
        .resolvesOnce({ Policy: policyOf(file) })
        .resolves({ Policy: stripped });
      const { guard, baselines } = setupGuard();

      await guard(loadApiCall(file));

      expect(baselines.get(sampleSlot('example-bucket'))?.policy).toBe(stripped);
    });

    it('does not record a public policy left in place in detect mode', async () => {
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: policyOf('s3/put-bucket-policy-public.json') });
      const { guard, baselines } = setupGuard({ controls: { 's3-public-policy': { mode: 'detect' } } });

      const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

      expect(result.outcomes[0]).toMatchObject({ status: 'DETECTED' });
      expect(baselines.size).toBe(0);
    });
  });

  it('reports a policy Warden cannot read as failed, and leaves it as it is', async () => {
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: '{"Statement":[{"Effect":"Maybe"}]}' });
    const { guard } = setupGuard();

    const result = await guard(loadApiCall('s3/put-bucket-policy-public.json'));

    expect(result.outcomes[0]).toMatchObject({
      status: 'FAILED',
      reason: expect.stringContaining('cannot read'),
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });
});
