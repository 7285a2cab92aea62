import { Arn, type Stack } from 'aws-cdk-lib';
import type { ResourceNames } from '#shared/config/names.ts';
import type { RootEventKind } from '../events/cloudtrail-pattern.ts';

/** What a forwarding rule carries to the hub: s3-guard's events, or one kind of root-guard's. */
export type ForwardedEvents = 's3' | RootEventKind;

const RULE_SUFFIX: Record<ForwardedEvents, string> = {
  s3: 's3',
  rootAccessKeyCreated: 'root-access-key-created',
  rootConsoleSignIn: 'root-console-sign-in',
};

/**
 * Forwarding rules have fixed names, so the hub's bus policy can name them (by ARN) before they
 * exist and without cross-region references: every ARN is built from account, region and name.
 */
export const forwardingRuleName = (names: ResourceNames, events: ForwardedEvents): string =>
  `${names.prefix}-forward-${RULE_SUFFIX[events]}`;

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
