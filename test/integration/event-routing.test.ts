import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName, resourceNames } from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { normaliseApiCall } from '#shared/events/normalise.ts';
import { PROJECT_ROOT } from '#shared/local/paths.ts';
import { loadSampleEvent } from '#shared/local/sample-events.ts';
import { ignoreReason } from '#shared/remediation/ignore.ts';
import { classifyRootActivity } from '#shared/root/root-activity.ts';
import {
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

const ownRoleArns = FUNCTION_NAMES.map(
  (name) => `arn:aws:iam::${SYNTH_ENV.account}:role/${resourceNames().functionRole(name)}`,
);

/** The function that would act on the event (not ignore it), by the guards' own logic. */
function handlerOf(event: RoutedEvent): FunctionName | undefined {
  const call = normaliseApiCall(CloudTrailEventSchema.parse(event));
  if (event.source === 'aws.s3')
    return ignoreReason(call, S3_GUARD_EVENT_NAMES, ownRoleArns) === undefined ? 's3-guard' : undefined;
  return classifyRootActivity(call).activity ? 'root-guard' : undefined;
}

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

  it('delivers each event once to its function', async () => {
    const received = await bus.route(tagged.map(({ event }) => event));

    for (const name of FUNCTION_NAMES) {
      const ids = received[name].map((event) => event.detail.eventID);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
