/**
 * The EventBridge rules the stacks deploy, region by region, and the check that exactly those are
 * there and enabled: the hub's found by their guard targets, the forwarders' by name.
 */
import {
  DescribeRuleCommand,
  type EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
} from '@aws-sdk/client-eventbridge';
import {
  type ForwardedEvents,
  type FunctionName,
  forwardingRuleName,
  type ResourceNames,
  TAMPER_EVENT_KINDS,
  type TamperEventKind,
  tamperRuleName,
} from '#shared/config/names.ts';
import { S3_ACCOUNT_EVENT_NAMES, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_EVENT_KINDS, ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import type { DeploymentRegions } from '../../infra/config/deployment-regions.ts';
import { tamperKindsOf } from '../../infra/config/tamper-forwarding.ts';
import { type CheckResult, type DoctorDeps, errorName, messageOf } from './checks.ts';

/** One EventBridge rule a Warden stack deploys; `carries` names the events it delivers, for messages. */
export type ExpectedRule =
  /** A rule with a fixed name: the forwarders' (infra/config/forwarding.ts). */
  | { readonly kind: 'named'; readonly carries: string; readonly name: string }
  /**
   * A rule CloudFormation names (the hub's): found by its target, a guard function, and told apart
   * from that function's other rules by the CloudTrail event names its pattern matches.
   */
  | {
      readonly kind: 'targeted';
      readonly carries: string;
      readonly targetArn: string;
      readonly eventNames: readonly string[];
    }
  /** Local mode: no stack deploys rules to the emulator, so any rule whose name has the prefix. */
  | { readonly kind: 'prefixed'; readonly carries: string; readonly prefix: string };

/** The rules one region's stack deploys. */
export interface RegionRules {
  readonly region: string;
  readonly stack: 'hub' | 'forwarder' | 'local';
  readonly rules: readonly ExpectedRule[];
}

/** Where the hub's functions live: their ARNs are the targets of the hub's rules. */
export interface HubAccount {
  readonly partition: string;
  readonly accountId: string;
}

const HUB_FUNCTION: Record<ForwardedEvents, FunctionName> = {
  s3: 's3-guard',
  s3Account: 's3-guard',
  rootAccessKeyCreated: 'root-guard',
  rootConsoleSignIn: 'root-guard',
  rootCredentialChanged: 'root-guard',
  tamperKms: 'tamper-guard',
  tamperCloudTrail: 'tamper-guard',
  tamperRules: 'tamper-guard',
  tamperRulesWatch: 'tamper-guard',
};

const eventNamesOf = (events: Exclude<ForwardedEvents, TamperEventKind>): readonly string[] =>
  events === 's3'
    ? S3_GUARD_EVENT_NAMES
    : events === 's3Account'
      ? S3_ACCOUNT_EVENT_NAMES
      : ROOT_GUARD_EVENT_PATTERNS[events].detail.eventName;

/**
 * Every EventBridge rule the stacks deploy for these regions, home region first: the hub's rule
 * per guard pattern (s3-guard; root-guard per root event kind) and, in every other region, the
 * forwarding rules by name (S3 where the region is watched, the root kinds in us-east-1).
 */
export function expectedRules(
  regions: DeploymentRegions,
  names: ResourceNames,
  hub: HubAccount,
): RegionRules[] {
  const hubRules = (['s3', ...ROOT_EVENT_KINDS] as const).map(
    (events): ExpectedRule => ({
      kind: 'targeted',
      carries: events,
      targetArn: `arn:${hub.partition}:lambda:${regions.homeRegion}:${hub.accountId}:function:${names.functionName(HUB_FUNCTION[events])}`,
      eventNames: eventNamesOf(events),
    }),
  );
  // tamper-guard's rules have fixed names (each of the two rule-watching rules names the other).
  const tamperRules = TAMPER_EVENT_KINDS.map(
    (events): ExpectedRule => ({ kind: 'named', carries: events, name: tamperRuleName(names, events) }),
  );
  return [
    { region: regions.homeRegion, stack: 'hub', rules: [...hubRules, ...tamperRules] },
    ...regions.forwarders.map(
      (forwarder): RegionRules => ({
        region: forwarder.region,
        stack: 'forwarder',
        rules: [
          ...(forwarder.s3 ? (['s3'] as const) : []),
          ...(forwarder.accountLevel ? (['s3Account'] as const) : []),
          ...(forwarder.root ? ROOT_EVENT_KINDS : []),
          ...tamperKindsOf(forwarder),
        ].map((events) => ({ kind: 'named', carries: events, name: forwardingRuleName(names, events) })),
      }),
    ),
  ];
}

interface DeployedRule {
  readonly Name?: string;
  readonly State?: string;
  readonly EventPattern?: string;
}

type Events = Pick<EventBridgeClient, 'send'>;

async function describeRule(events: Events, name: string): Promise<DeployedRule | undefined> {
  try {
    return await events.send(new DescribeRuleCommand({ Name: name }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function rulesTargeting(events: Events, targetArn: string): Promise<DeployedRule[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: targetArn, NextToken }));
    names.push(...(page.RuleNames ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const rules = await Promise.all(names.map((name) => describeRule(events, name)));
  return rules.filter((rule) => rule !== undefined);
}

async function rulesPrefixed(events: Events, prefix: string): Promise<DeployedRule[]> {
  const rules: DeployedRule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ NamePrefix: prefix, NextToken }));
    rules.push(...(page.Rules ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return rules;
}

/** The CloudTrail event names a rule's pattern matches (`detail.eventName`); none when it has no such field. */
function patternEventNames(rule: DeployedRule): readonly unknown[] {
  try {
    const names = (JSON.parse(rule.EventPattern ?? '{}') as { detail?: { eventName?: unknown } }).detail
      ?.eventName;
    return Array.isArray(names) ? names : [];
  } catch {
    return [];
  }
}

const describeExpected = (expected: ExpectedRule): string => {
  switch (expected.kind) {
    case 'named':
      return expected.name;
    case 'targeted':
      return `${expected.carries} rule targeting ${expected.targetArn.split(':').pop()}`;
    case 'prefixed':
      return `a rule named ${expected.prefix}*`;
  }
};

/**
 * Exactly the rules the region's stack deploys: each present (reported by name when missing) and
 * enabled. Hub rules are looked up by their target, so a rule of another tool never passes for one.
 */
export async function checkRules(
  deps: Pick<DoctorDeps, 'eventsIn'>,
  expected: RegionRules,
): Promise<CheckResult> {
  const check = `EventBridge rules in ${expected.region}`;
  try {
    const events = deps.eventsIn(expected.region);
    const targeted = new Map<string, Promise<DeployedRule[]>>();
    const byTarget = (targetArn: string) => {
      const rules = targeted.get(targetArn) ?? rulesTargeting(events, targetArn);
      targeted.set(targetArn, rules);
      return rules;
    };
    const find = async (rule: ExpectedRule): Promise<readonly DeployedRule[]> => {
      switch (rule.kind) {
        case 'named': {
          const found = await describeRule(events, rule.name);
          return found ? [found] : [];
        }
        case 'targeted':
          return (await byTarget(rule.targetArn)).filter((found) =>
            patternEventNames(found).some((name) => rule.eventNames.includes(name as string)),
          );
        case 'prefixed':
          return rulesPrefixed(events, rule.prefix);
      }
    };
    const found = await Promise.all(
      expected.rules.map(async (rule) => ({ rule, deployed: await find(rule) })),
    );
    const missing = found.filter(({ deployed }) => deployed.length === 0);
    if (missing.length > 0)
      return {
        check,
        status: 'FAIL',
        detail: `${expected.stack}: missing ${missing.map(({ rule }) => describeExpected(rule)).join(', ')}: those events are not delivered`,
      };
    const deployed = found.flatMap((entry) => entry.deployed);
    const disabled = deployed.filter((rule) => rule.State !== 'ENABLED');
    if (disabled.length > 0)
      return {
        check,
        status: 'WARN',
        detail: `${expected.stack}: ${disabled.length} of ${deployed.length} rules not enabled: ${disabled.map((r) => r.Name).join(', ')}`,
      };
    return {
      check,
      status: 'OK',
      detail: `${expected.stack}: ${deployed.length} rule(s), all enabled: ${deployed.map((r) => r.Name).join(', ')}`,
    };
  } catch (error) {
    return { check, status: 'FAIL', detail: `could not read rules (${messageOf(error)})` };
  }
}
