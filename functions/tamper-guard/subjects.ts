import type { ApiCall } from '#shared/events/normalise.ts';
import { isWardenRule, type RuleChange } from '#shared/model/event-rule.ts';
import { trailNameOf, trailRegionOf } from '#shared/model/trail.ts';

/** What a tamper event concerns: a key, a trail (in its home region) or one of Warden's rules. */
export type TamperSubject =
  | { readonly kind: 'key'; readonly arn: string }
  | { readonly kind: 'trail'; readonly name: string; readonly arn: string; readonly region: string }
  | { readonly kind: 'rule'; readonly name: string; readonly arn: string; readonly change: RuleChange };

export const KMS_EVENT_SOURCE = 'kms.amazonaws.com';
export const CLOUDTRAIL_EVENT_SOURCE = 'cloudtrail.amazonaws.com';
export const EVENTS_EVENT_SOURCE = 'events.amazonaws.com';
const CLOUDFORMATION = 'cloudformation.amazonaws.com';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** The partition of the caller's ARN (aws, aws-cn, aws-us-gov), `aws` when there is none. */
const partitionOf = (call: ApiCall): string => /^arn:([^:]+):/.exec(call.actor.arn ?? '')?.[1] ?? 'aws';

const KEY_ARN = /^arn:[^:]+:kms:[^:]+:\d{12}:key\/[\w-]+$/;
const KEY_ID = /^[\w-]{1,128}$/;

function keySubject(call: ApiCall): TamperSubject | string {
  const keyId = text(call.requestParameters.keyId);
  if (keyId && KEY_ARN.test(keyId)) return { kind: 'key', arn: keyId };
  if (keyId && KEY_ID.test(keyId))
    return { kind: 'key', arn: `arn:${partitionOf(call)}:kms:${call.region}:${call.accountId}:key/${keyId}` };
  return `${call.eventName} event ${call.eventId} names no KMS key id or key ARN in requestParameters.keyId`;
}

function trailSubject(call: ApiCall): TamperSubject | string {
  const given = text(call.requestParameters.name) ?? text(call.requestParameters.trailName);
  if (!given) return `${call.eventName} event ${call.eventId} names no trail`;
  const name = trailNameOf(given);
  const region = trailRegionOf(given) ?? call.region;
  const arn = given.startsWith('arn:')
    ? given
    : `arn:${partitionOf(call)}:cloudtrail:${region}:${call.accountId}:trail/${name}`;
  return { kind: 'trail', name, arn, region };
}

/** Why a rule event is not tamper-guard's business, or the subject. */
function ruleSubject(call: ApiCall, prefix: string): TamperSubject | { ignored: string } | string {
  const name = text(call.requestParameters.name) ?? text(call.requestParameters.rule);
  if (!name) return `${call.eventName} event ${call.eventId} names no rule`;
  const bus = text(call.requestParameters.eventBusName);
  if (bus && bus !== 'default' && !bus.endsWith(':event-bus/default'))
    return { ignored: `rule ${name} is on bus ${bus}; Warden's rules are on the default bus` };
  if (!isWardenRule(name, prefix)) return { ignored: `rule ${name} is not one of Warden's (${prefix}-...)` };
  if (call.actor.invokedBy === CLOUDFORMATION || call.sourceIp === CLOUDFORMATION)
    return {
      ignored: `a CloudFormation deployment changed rule ${name}: that is how Warden's rules are deployed`,
    };
  return {
    kind: 'rule',
    name,
    arn: `arn:${partitionOf(call)}:events:${call.region}:${call.accountId}:rule/${name}`,
    change: call.eventName as RuleChange,
  };
}

/** The subject of a tamper event; a string is why the event is malformed (rejected). */
export function subjectOf(call: ApiCall, prefix: string): TamperSubject | { ignored: string } | string {
  switch (call.eventSource) {
    case KMS_EVENT_SOURCE:
      return keySubject(call);
    case CLOUDTRAIL_EVENT_SOURCE:
      return trailSubject(call);
    case EVENTS_EVENT_SOURCE:
      return ruleSubject(call, prefix);
    default:
      return { ignored: `events from ${call.eventSource} are not tamper-guard's` };
  }
}
