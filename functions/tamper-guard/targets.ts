import type { ResourceBaselineStore } from '#shared/audit/resource-baselines.ts';
import { applyTrailAction } from '#shared/cloudtrail/trail-actions.ts';
import { readTrail, type TrailStateDeps } from '#shared/cloudtrail/trail-state.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import { applyRuleAction, type RuleStateDeps, readRule } from '#shared/eventbridge/rule-state.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { Target } from '#shared/guard/resource.ts';
import { applyKeyAction } from '#shared/kms/key-actions.ts';
import { type KeyStateDeps, type ProtectedKeys, readKeyState } from '#shared/kms/key-state.ts';
import {
  describeRuleAction,
  type RuleAction,
  type RuleChange,
  type RuleState,
  type RuleStatePart,
  restoreStepFor,
  ruleView,
} from '#shared/model/event-rule.ts';
import { outsideGrantsOf } from '#shared/model/key-policy.ts';
import {
  describeKeyAction,
  isProtected,
  type KeyAction,
  type KeyState,
  type KeyStatePart,
  keyView,
} from '#shared/model/kms-key.ts';
import {
  describeTrailAction,
  recordsManagementWrites,
  type TrailAction,
  type TrailSelectors,
  type TrailState,
  type TrailStatePart,
  trailNameOf,
  trailView,
} from '#shared/model/trail.ts';
import type { Clock } from '#shared/observability/observability.ts';

/** The clients that read and repair one account's keys, trails and rules in one region. */
export type TamperClients = KeyStateDeps & TrailStateDeps & RuleStateDeps;

export interface TamperTargetDeps {
  readonly baselines: ResourceBaselineStore;
  readonly clock: Clock;
}

const baselineKey = (
  call: ApiCall,
  kind: 'KEY-POLICY' | 'TRAIL-SELECTORS',
  resource: string,
  region: string,
) => ({
  kind,
  resource,
  accountId: call.accountId,
  region,
});

/** A KMS key of the call's account and region. */
export function keyTarget(
  deps: TamperTargetDeps,
  call: ApiCall,
  keyArn: string,
  clients: () => Promise<TamperClients>,
  protectedKeys: ProtectedKeys,
  context: EvaluationContext,
): Target<KeyState, KeyStatePart, KeyAction> {
  return {
    resource: keyArn,
    verifyAttempts: 1,
    read: async (parts) => {
      const state = await readKeyState(await clients(), keyArn, call.region, parts, protectedKeys);
      if (!parts.has('baselinePolicy')) return state;
      const baseline = await deps.baselines.read(baselineKey(call, 'KEY-POLICY', state.arn, call.region));
      return { ...state, baselinePolicy: baseline ? { ...baseline, policy: baseline.document } : null };
    },
    apply: async (action) => applyKeyAction((await clients()).kms, action),
    describe: describeKeyAction,
    view: (state, control) => keyView(state, control.reads),
    // The policy Warden leaves on a protected key becomes its last-known-good when it grants nothing outside.
    settle: async (before, after) => {
      const policy = after.policy ?? before.policy;
      if (policy === undefined || !isProtected(before) || before.baselinePolicy?.policy === policy) return;
      const trust = {
        accountId: call.accountId,
        allowedAccountIds: context.policy.s3.allowedAccountIds,
        allowedOrganizationIds: context.policy.s3.allowedOrganizationIds,
      };
      if (outsideGrantsOf(policy, trust)?.length !== 0) return;
      await deps.baselines.write(baselineKey(call, 'KEY-POLICY', before.arn, call.region), {
        document: policy,
        observedAt: deps.clock.now().toISOString(),
        eventId: call.eventId,
      });
    },
  };
}

/**
 * Whether a trail is protected: named in `tamper.trails`, or (none named) one that records management
 * events now or did when Warden last saw it. A deleted trail nobody named is assumed protected: Warden
 * cannot tell what it recorded, and losing the only trail blinds it.
 */
function isProtectedTrail(
  listed: readonly string[],
  trail: { name: string; arn: string; exists: boolean; selectors?: TrailSelectors },
  baseline: boolean,
): boolean {
  if (listed.length > 0)
    return listed.some((entry) => entry === trail.arn || trailNameOf(entry) === trail.name);
  if (!trail.exists || baseline) return true;
  return trail.selectors !== undefined && recordsManagementWrites(trail.selectors);
}

/** A trail (by name, its ARN as the resource), read and repaired in its home region (`region`). */
export function trailTarget(
  deps: TamperTargetDeps,
  call: ApiCall,
  trail: { readonly name: string; readonly arn: string },
  region: string,
  clients: () => Promise<TamperClients>,
  listed: readonly string[],
): Target<TrailState, TrailStatePart, TrailAction> {
  const baselineOf = async (arn: string) => {
    const stored = await deps.baselines.read(baselineKey(call, 'TRAIL-SELECTORS', arn, region));
    return stored ? { ...stored, selectors: JSON.parse(stored.document) as TrailSelectors } : null;
  };
  return {
    resource: trail.arn,
    verifyAttempts: 1,
    read: async (parts) => {
      // Protection needs the selectors whatever the controls read.
      const found = await readTrail(await clients(), trail.name, new Set([...parts, 'protection']));
      const reading = { ...found, arn: found.exists ? found.arn : trail.arn };
      const baselineSelectors = reading.exists ? await baselineOf(reading.arn) : null;
      return {
        ...reading,
        protected: isProtectedTrail(listed, reading, baselineSelectors !== null),
        ...(parts.has('baselineSelectors') ? { baselineSelectors } : {}),
      };
    },
    apply: async (action) => applyTrailAction((await clients()).cloudTrail, action),
    describe: describeTrailAction,
    view: (state, control) => trailView(state, control.reads),
    // Selectors that record management writes on a protected trail become its last-known-good.
    settle: async (before, after) => {
      const selectors = after.selectors ?? before.selectors;
      if (!before.exists || !before.protected || !selectors || !recordsManagementWrites(selectors)) return;
      const document = JSON.stringify(selectors);
      if (before.baselineSelectors && JSON.stringify(before.baselineSelectors.selectors) === document) return;
      await deps.baselines.write(baselineKey(call, 'TRAIL-SELECTORS', before.arn, region), {
        document,
        observedAt: deps.clock.now().toISOString(),
        eventId: call.eventId,
      });
    },
  };
}

/** One of Warden's own EventBridge rules on the default bus of the call's account and region. */
export function ruleTarget(
  call: ApiCall,
  rule: { readonly name: string; readonly arn: string },
  change: RuleChange,
  prefix: string,
  clients: () => Promise<TamperClients>,
): Target<RuleState, RuleStatePart, RuleAction> {
  const restoreStep = restoreStepFor(rule.name, { prefix, accountId: call.accountId, region: call.region });
  return {
    resource: rule.arn,
    verifyAttempts: 1,
    read: async () => {
      const reading = await readRule(await clients(), rule.name);
      return { name: rule.name, change, restoreStep, ...reading, arn: reading.arn ?? rule.arn };
    },
    apply: async (action) => applyRuleAction(await clients(), action),
    describe: describeRuleAction,
    view: (state) => ruleView(state),
  };
}
