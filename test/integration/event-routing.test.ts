import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUNCTION_NAMES,
  type FunctionName,
  functionSessionArns,
  resourceNames,
} from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { TAMPER_GUARD_EVENT_NAMES } from '#shared/controls/tamper-registry.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { ignoreReason } from '#shared/guard/ignore.ts';
import { classifyRootActivity } from '#shared/model/root-activity.ts';
import { PROJECT_ROOT } from '../../cli/local/paths.ts';
import { loadSampleEvent } from '../../cli/local/sample-events.ts';
import { subjectOf } from '../../functions/tamper-guard/subjects.ts';
import {
  patternBus,
  type RoutedEvent,
  type RoutingBus,
  routingBus,
  SYNTH_ENV,
  type SynthesizedRule,
  synthesizedRules,
} from '../support/fault-injection.ts';
import { localConfig } from '../support/local-env.ts';

/*
 * Every sample event in events/, put on the emulator's EventBridge buses carrying the synthesized
 * stacks' real rules (PutEvents → rule → one SQS queue per function), lands in the queue of the
 * function that acts on it, and in no other. "Acts on it" is the guards' own decision: s3-guard's
 * ignore rules (handled event names, failed calls, Warden's own roles) and root-guard's classifier.
 *
 * Not CloudTrail, so excluded: events/invalid (malformed on purpose: the handler's schema test) and
 * events/sns (SNS/SQS deliveries to notify-slack, which no EventBridge rule feeds).
 */
const EXCLUDED_DIRS = new Set(['invalid', 'sns']);
const EVENTS_DIR = join(PROJECT_ROOT, 'events');
const samples = readdirSync(EVENTS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !EXCLUDED_DIRS.has(entry.name))
  .flatMap((dir) =>
    readdirSync(join(EVENTS_DIR, dir.name))
      .filter((file) => file.endsWith('.json'))
      .map((file) => `${dir.name}/${file}`),
  )
  .sort();

const TAMPER_SOURCES = new Set(['aws.kms', 'aws.cloudtrail', 'aws.events']);

const ownSessionArns = functionSessionArns(resourceNames(), {
  partition: 'aws',
  accountId: SYNTH_ENV.account,
});

/** The function that would act on the event (not ignore it), by the guards' own logic. */
function handlerOf(event: RoutedEvent): FunctionName | undefined {
  const call = normaliseApiCall(CloudTrailEventSchema.parse(event));
  if (event.source === 'aws.s3')
    return ignoreReason(call, S3_GUARD_EVENT_NAMES, ownSessionArns) === undefined ? 's3-guard' : undefined;
  if (TAMPER_SOURCES.has(event.source)) {
    // tamper-guard acts on Warden's own rules only, not on CloudFormation's deployments of them.
    const subject = subjectOf(call, resourceNames().prefix);
    const acts = typeof subject === 'object' && !('ignored' in subject);
    return acts && ignoreReason(call, TAMPER_GUARD_EVENT_NAMES, ownSessionArns) === undefined
      ? 'tamper-guard'
      : undefined;
  }
  return classifyRootActivity(call).activity ? 'root-guard' : undefined;
}

/**
 * The same routing, written by hand from reading each event rather than derived from the guards'
 * code: a pattern and a guard wrong the same way would pass the derived test above, not this one.
 * Every IAM and sign-in sample, and the security-relevant S3 ones.
 */
const EXPECTED_ROUTE: Readonly<Record<string, FunctionName | 'none'>> = {
  // Only the root user's own access key is root-guard's: keys of IAM users are not, whoever creates them.
  'iam/assumed-role-create-access-key.json': 'none',
  'iam/iam-admin-create-access-key-for-user.json': 'none',
  'iam/iam-user-create-own-access-key.json': 'none',
  'iam/root-create-access-key-failed-call.json': 'none', // LimitExceededException: no key was made
  'iam/root-create-access-key-for-iam-user.json': 'none', // requestParameters.userName: ci-deployer
  'iam/root-create-access-key.json': 'root-guard',
  // The root user's own MFA devices and password; an IAM user's device (userName ...) is not root-guard's.
  'iam/iam-admin-deactivate-user-mfa-device.json': 'none',
  'iam/root-deactivate-mfa-device.json': 'root-guard',
  'iam/root-delete-virtual-mfa-device.json': 'root-guard',
  'iam/root-create-login-profile-member.json': 'root-guard',
  // A successful root sign-in, with or without MFA and under either detail-type spelling.
  'signin/iam-user-console-login.json': 'none',
  'signin/root-console-login-failed.json': 'none', // ConsoleLogin: Failure
  'signin/root-console-login-mfa.json': 'root-guard',
  'signin/root-console-login-no-mfa.json': 'root-guard',
  'signin/root-console-login-signin-spelling.json': 'root-guard',
  // S3: failed calls and Warden's own role are dropped; people and IAM users (no session issuer) are not.
  's3/delete-bucket-encryption-failed-call.json': 'none', // errorCode: AccessDenied
  's3/put-bucket-encryption-by-warden.json': 'none', // session warden-s3-guard-role/warden-s3-guard
  's3/delete-bucket-encryption.json': 's3-guard',
  's3/delete-bucket-encryption-legacy.json': 's3-guard', // IAMUser deploy-bot
  's3/put-bucket-encryption-sse-s3.json': 's3-guard',
  's3/put-bucket-policy-public.json': 's3-guard',
  's3/put-bucket-acl-public-read-legacy.json': 's3-guard', // IAMUser deploy-bot
  's3/delete-bucket-public-access-block.json': 's3-guard',
  's3/put-account-public-access-block-partial.json': 's3-guard', // account level: no bucket
  's3/delete-account-public-access-block.json': 's3-guard',
  's3/create-bucket-legacy.json': 's3-guard', // IAMUser deploy-bot
  's3/create-bucket-public-acl.json': 's3-guard', // CloudFormation's role: x-amz-acl public-read
};

/** Each sample with a unique eventID, so deliveries can be told apart. */
const tagged = samples.map((file, index) => {
  const event = loadSampleEvent(file) as unknown as RoutedEvent;
  event.detail.eventID = `routing-${index}-${file}`;
  return { file, event };
});

describe('every sample event, routed by the synthesized rules in the emulator', () => {
  let rules: SynthesizedRule[];
  let bus: RoutingBus;

  beforeAll(async () => {
    rules = await synthesizedRules();
    bus = await routingBus(localConfig(), rules);
  });

  it('covers CloudTrail samples of both guards', () => {
    expect(samples.some((file) => file.startsWith('s3/'))).toBe(true);
    expect(samples.some((file) => file.startsWith('iam/'))).toBe(true);
    expect(samples.some((file) => file.startsWith('signin/'))).toBe(true);
    expect(new Set(rules.map((rule) => rule.target))).toContain('s3-guard');
  });

  it('reaches the function that acts on it and no other', async () => {
    const received = await bus.route(tagged.map(({ event }) => event));

    const routed = Object.fromEntries(
      tagged.map(({ file, event }) => [
        file,
        FUNCTION_NAMES.filter((name) =>
          received[name].some((delivered) => delivered.detail.eventID === event.detail.eventID),
        ),
      ]),
    );
    const expected = Object.fromEntries(
      tagged.map(({ file, event }) => {
        const handler = handlerOf(event);
        return [file, handler ? [handler] : []];
      }),
    );
    expect(routed).toEqual(expected);
  });

  it('lists a hand-written route for every IAM and sign-in sample, each an existing file', () => {
    const listed = Object.keys(EXPECTED_ROUTE);

    expect(listed.filter((file) => !existsSync(join(EVENTS_DIR, file)))).toEqual([]);
    expect(samples.filter((file) => /^(iam|signin)\//.test(file) && !listed.includes(file))).toEqual([]);
  });

  it('reaches the function the hand-written table names, and no other', async () => {
    const table = Object.entries(EXPECTED_ROUTE).map(([file, handler], index) => {
      const event = loadSampleEvent(file) as unknown as RoutedEvent;
      event.detail.eventID = `table-${index}-${file}`;
      return { file, handler, event };
    });

    const received = await bus.route(table.map(({ event }) => event));

    const routed = Object.fromEntries(
      table.map(({ file, event }) => {
        const reached = FUNCTION_NAMES.filter((name) =>
          received[name].some((delivered) => delivered.detail.eventID === event.detail.eventID),
        );
        return [file, reached.length === 0 ? 'none' : reached.join('+')];
      }),
    );
    expect(routed).toEqual(EXPECTED_ROUTE);
  });

  it('delivers each event once to its function', async () => {
    const received = await bus.route(tagged.map(({ event }) => event));

    for (const name of FUNCTION_NAMES) {
      const ids = received[name].map((event) => event.detail.eventID);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

/*
 * The account-level Block Public Access setting is account-wide, but CloudTrail records a change in
 * the region of the S3 Control endpoint called. A change through a region Warden does not watch
 * (ap-south-1 here: the synthesized hub watches eu-west-1 only) must still reach s3-guard.
 */
describe('an account-level change made through a region Warden does not watch', () => {
  const UNWATCHED = 'ap-south-1';
  const throughUnwatched = (): RoutedEvent => {
    const event = loadSampleEvent(
      's3/put-account-public-access-block-partial.json',
    ) as unknown as RoutedEvent;
    event.detail.awsRegion = UNWATCHED;
    event.detail.eventID = `account-level-${Math.random().toString(36).slice(2)}`;
    return event;
  };

  it("is forwarded by that region's rule and handled by s3-guard's rule on the hub bus; Warden's own is not", async () => {
    const rules = await synthesizedRules();
    const inRegion = rules.filter((rule) => rule.region === UNWATCHED);
    // Besides tamper-guard's two rules on the region's own Warden rules, one rule: account-level S3 changes.
    const s3Rules = inRegion.filter((rule) => JSON.stringify(rule.pattern.source) === '["aws.s3"]');
    const [forwarding, ...more] = s3Rules;
    const hubS3 = rules.find((rule) => rule.target === 's3-guard');
    expect(more).toEqual([]);
    expect(inRegion.filter((rule) => !s3Rules.includes(rule)).map((rule) => rule.pattern.source)).toEqual([
      ['aws.events'],
      ['aws.events'],
    ]);
    const bus = await patternBus(localConfig(), {
      forwarding: forwarding?.pattern ?? {},
      hub: hubS3?.pattern ?? {},
    });
    const byPerson = throughUnwatched();
    const byWarden = throughUnwatched();
    byWarden.detail.userIdentity = {
      ...(byWarden.detail.userIdentity as Record<string, unknown>),
      arn: `arn:aws:sts::${SYNTH_ENV.account}:assumed-role/warden-s3-guard-role/warden-s3-guard`,
    };

    const received = await bus.put([byPerson, byWarden]);

    const ids = (events: readonly RoutedEvent[]) => events.map((event) => event.detail.eventID);
    expect(ids(received.forwarding)).toEqual([byPerson.detail.eventID]);
    expect(ids(received.hub)).toEqual([byPerson.detail.eventID]);
  });
});
