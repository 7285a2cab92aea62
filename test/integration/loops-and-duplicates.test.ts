import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, resourceNames } from '#shared/config/names.ts';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { countAuditRecords } from '../../cli/local/audit-trail.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import {
  type RoutedEvent,
  type RoutingBus,
  routingBus,
  SYNTH_ENV,
  synthesizedRules,
} from '../support/fault-injection.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  readBucketSnapshot,
  resetBucket,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';

/*
 * Loops and duplicates, through the synthesized stacks' real EventBridge rules in the emulator
 * (PutEvents → rule → SQS queue per function) and the built s3-guard bundle with the real DynamoDB
 * idempotency store.
 */
const policy = loadPolicyFile('warden.policy.yaml');
const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

let bus: RoutingBus;
beforeAll(async () => {
  bus = await routingBus(localConfig(), await synthesizedRules());
});
beforeEach(async () => {
  await takeAlerts();
});

/**
 * A CloudTrail S3 event of `eventName` made by a session of `roleArn`: by default the session
 * Lambda opens for the Warden function of that role (named after the function).
 */
function callBy(roleArn: string, eventName: string, index: number, sessionName?: string): RoutedEvent {
  const event = loadSampleEvent('s3/put-bucket-encryption-by-warden.json') as unknown as RoutedEvent;
  const roleName = roleArn.split('/').pop() ?? 'role';
  const [, , , , account] = roleArn.split(':');
  event.detail.eventName = eventName;
  event.detail.eventID = `loop-${index}-${roleName}-${eventName}`;
  event.detail.userIdentity = {
    type: 'AssumedRole',
    principalId: `AROAWARDEN${index}:${roleName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName ?? roleName.replace(/-role$/, '')}`,
    accountId: account,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROAWARDEN${index}`,
        arn: roleArn,
        accountId: account,
        userName: roleName,
      },
      attributes: { creationDate: '2026-11-20T10:15:00Z', mfaAuthenticated: 'false' },
    },
  };
  return event;
}

describe("Warden's own remediation calls", () => {
  const wardenRoles = FUNCTION_NAMES.map(
    (name) => `arn:aws:iam::${SYNTH_ENV.account}:role/${resourceNames().functionRole(name)}`,
  );
  const ownCalls = wardenRoles.flatMap((role, r) =>
    S3_GUARD_EVENT_NAMES.map((name, n) => callBy(role, name, r * 100 + n)),
  );

  it('match no rule: every S3 event name the rules listen to, made by every Warden role', async () => {
    const received = await bus.route(ownCalls);

    expect(ownCalls.length).toBe(wardenRoles.length * S3_GUARD_EVENT_NAMES.length);
    expect(received).toEqual(Object.fromEntries(FUNCTION_NAMES.map((name) => [name, []])));
  });

  it('would match if anyone else made them (the exclusion, not the names, stops them)', async () => {
    const others = S3_GUARD_EVENT_NAMES.map((name, n) =>
      callBy(`arn:aws:iam::${SYNTH_ENV.account}:role/PlatformEngineer`, name, 900 + n),
    );

    const received = await bus.route(others);

    expect(received['s3-guard']).toHaveLength(others.length);
  });

  it("would match if another function used Warden's role: only Warden's own session is excluded", async () => {
    const borrowed = S3_GUARD_EVENT_NAMES.map((name, n) =>
      callBy(wardenRoles[0] as string, name, 950 + n, 'their-function'),
    );

    const received = await bus.route(borrowed);

    expect(received['s3-guard']).toHaveLength(borrowed.length);
  });
});

describe('duplicates and races through the s3-guard bundle', () => {
  const invoke = (event: unknown) => invokeLocal('s3-guard', event, localConfig(), policy, QUIET);

  async function bucketWith(setup: Parameters<typeof resetBucket>[2]) {
    const bucket = uniqueBucketName('dup');
    await resetBucket(makeClients().s3, bucket, setup);
    return bucket;
  }

  const eventFor = (sample: string, bucket: string) =>
    retargetEvent(loadSampleEvent(sample), {
      bucket,
      accountId: localConfig().accountId,
    }) as unknown as RoutedEvent;

  it('the same event delivered 10 times: exactly one remediation and one alert', async () => {
    const bucket = await bucketWith({ encryption: 'AES256', publicAccessBlock: 'all' });
    const event = eventFor('s3/delete-bucket-encryption.json', bucket);

    const deliveries = (await bus.route(Array.from({ length: 10 }, () => event)))['s3-guard'];
    const results: GuardResult[] = [];
    for (const delivery of deliveries) results.push(await invoke(delivery));

    expect(deliveries).toHaveLength(10);
    expect(results.filter((result) => result.outcomes.some((o) => o.status === 'REMEDIATED'))).toHaveLength(
      10,
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await takeAlerts()).toHaveLength(1);
    expect(await countAuditRecords(makeClients().dynamodb, localConfig().auditTable, bucket)).toBe(1);
  });

  it('10 concurrent deliveries: one remediation; the others end quietly as duplicates in progress, no error', async () => {
    const bucket = await bucketWith({ encryption: 'AES256', publicAccessBlock: 'all' });
    const event = eventFor('s3/delete-bucket-encryption.json', bucket);
    const deliveries = (await bus.route(Array.from({ length: 10 }, () => event)))['s3-guard'];

    // Nothing is thrown: a thrown error would fire the s3-guard errors alarm and a false "failed" in Slack.
    const results = await Promise.all(deliveries.map((delivery) => invoke(delivery)));
    const processed = results.filter((result) => result.status === 'PROCESSED');
    const duplicates = results.filter((result) => result.status === 'IGNORED');
    // A later redelivery (or Lambda's retry of a failed first) is answered from the store.
    const redelivered = await invoke(event);

    expect(results).toHaveLength(10);
    expect(processed.length).toBeGreaterThanOrEqual(1);
    expect(processed.length + duplicates.length).toBe(10);
    for (const result of processed) expect(result).toEqual(redelivered);
    for (const result of duplicates) expect(result.reason).toContain('another invocation');
    expect(redelivered.outcomes).toMatchObject([{ status: 'REMEDIATED' }]);
    expect(await takeAlerts()).toHaveLength(1);
    expect(await countAuditRecords(makeClients().dynamodb, localConfig().auditTable, bucket)).toBe(1);
  });

  it.each([1, 2, 3])(
    'concurrent events for one bucket converge to a compliant bucket (round %i)',
    async () => {
      const bucket = await bucketWith({ encryption: 'AES256', publicAccessBlock: 'none' });
      const events = [
        eventFor('s3/put-bucket-encryption-sse-s3.json', bucket),
        eventFor('s3/delete-bucket-public-access-block.json', bucket),
        eventFor('s3/create-bucket.json', bucket),
      ];
      const deliveries = (await bus.route(events))['s3-guard'];

      const results = await Promise.all(deliveries.map((delivery) => invoke(delivery)));

      expect(deliveries).toHaveLength(3);
      expect(results.map((result) => result.status)).toEqual(['PROCESSED', 'PROCESSED', 'PROCESSED']);
      expect(await readBucketSnapshot(makeClients().s3, bucket)).toEqual({
        encryption: { algorithm: 'aws:kms', kmsKeyId: localConfig().kmsKeyArn, bucketKeyEnabled: true },
        publicAccessBlock: ALL_BLOCKED,
      });
    },
  );
});
