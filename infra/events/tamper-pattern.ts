import type * as events from 'aws-cdk-lib/aws-events';
import type { TamperEventKind } from '#shared/config/names.ts';
import { TAMPER_EVENT_NAMES } from '#shared/controls/tamper-registry.ts';
import { cloudTrailApiCallPattern } from './cloudtrail-pattern.ts';

/** A rule name matcher: an exact name, or `{ prefix }` (CloudFormation names the hub's rules `<stack>-...`). */
export type RuleNameMatcher = string | { readonly prefix: string };

export interface TamperPatternProps {
  /** Exact session ARNs of Warden's own calls. */
  readonly ownSessionArns: readonly string[];
  readonly ownSessionArnPrefixes?: readonly string[];
  /**
   * The rules whose changes each rule-watching rule carries. Neither carries changes to itself: a
   * disabled rule cannot report its own disabling, so each names the other (README, "tamper-guard").
   */
  readonly watchedRules: {
    readonly tamperRules: readonly RuleNameMatcher[];
    readonly tamperRulesWatch: string;
  };
}

const SOURCES = {
  tamperKms: { source: 'aws.kms', eventSource: 'kms.amazonaws.com', eventNames: TAMPER_EVENT_NAMES.kms },
  tamperCloudTrail: {
    source: 'aws.cloudtrail',
    eventSource: 'cloudtrail.amazonaws.com',
    eventNames: TAMPER_EVENT_NAMES.cloudtrail,
  },
  tamperRules: {
    source: 'aws.events',
    eventSource: 'events.amazonaws.com',
    eventNames: TAMPER_EVENT_NAMES.events,
  },
  tamperRulesWatch: {
    source: 'aws.events',
    eventSource: 'events.amazonaws.com',
    eventNames: TAMPER_EVENT_NAMES.events,
  },
} as const;

/**
 * The pattern of one tamper-guard rule (hub, forwarder or spoke): successful calls not made by Warden.
 * The rule events also name the rules they concern: `requestParameters.name`, or `rule` for RemoveTargets.
 */
export function tamperPattern(kind: TamperEventKind, props: TamperPatternProps): events.EventPattern {
  const base = cloudTrailApiCallPattern({
    ...SOURCES[kind],
    ownSessionArns: props.ownSessionArns,
    ...(props.ownSessionArnPrefixes ? { ownSessionArnPrefixes: props.ownSessionArnPrefixes } : {}),
  });
  if (kind !== 'tamperRules' && kind !== 'tamperRulesWatch') return base;
  const watched =
    kind === 'tamperRules' ? [...props.watchedRules.tamperRules] : [props.watchedRules.tamperRulesWatch];
  return {
    ...base,
    detail: {
      ...base.detail,
      requestParameters: { $or: [{ name: watched }, { rule: watched }] },
    },
  };
}
