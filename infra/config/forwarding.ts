import { Arn, type Stack } from 'aws-cdk-lib';
import { type ForwardedEvents, forwardingRuleName, type ResourceNames } from '#shared/config/names.ts';

export function forwardingRuleArn(
  stack: Stack,
  names: ResourceNames,
  region: string,
  events: ForwardedEvents,
): string {
  return Arn.format(
    { service: 'events', region, resource: 'rule', resourceName: forwardingRuleName(names, events) },
    stack,
  );
}

/** The hub's default event bus, from any stack of the same account. */
export const hubBusArn = (stack: Stack, homeRegion: string): string =>
  Arn.format(
    { service: 'events', region: homeRegion, resource: 'event-bus', resourceName: 'default' },
    stack,
  );
