import type { ControlId } from '#shared/contracts/controls.ts';
import { cloudtrailLogging } from './cloudtrail-logging.ts';
import { cloudtrailManagementEvents } from './cloudtrail-management-events.ts';
import { cloudtrailTrailDeleted } from './cloudtrail-trail-deleted.ts';
import { kmsKeyDeletion } from './kms-key-deletion.ts';
import { kmsKeyPolicy } from './kms-key-policy.ts';
import { kmsProtectedKey } from './kms-protected-key.ts';
import type { KeyControl, RuleControl, TrailControl } from './tamper-types.ts';
import { wardenRuleEnabled } from './warden-rule-enabled.ts';
import { wardenRuleIntact } from './warden-rule-intact.ts';

/**
 * tamper-guard's controls, apart from s3-guard's (./registry.ts) so no other bundle carries them. Adding
 * one: its file, its tests, one line here and its id in shared/contracts/controls.ts.
 */
export type { KeyControl, RuleControl, TrailControl } from './tamper-types.ts';

export const KEY_CONTROLS: readonly KeyControl[] = [kmsProtectedKey, kmsKeyPolicy, kmsKeyDeletion];
export const TRAIL_CONTROLS: readonly TrailControl[] = [
  cloudtrailLogging,
  cloudtrailManagementEvents,
  cloudtrailTrailDeleted,
];
export const RULE_CONTROLS: readonly RuleControl[] = [wardenRuleEnabled, wardenRuleIntact];

/**
 * Controls that only ever report: what they find cannot be undone by an API call (a deleted trail or
 * rule) or must not be (a legitimate key deletion). An `enforce` setting is treated as `detect`.
 */
export const DETECT_ONLY_CONTROLS: ReadonlySet<ControlId> = new Set([
  'kms-key-deletion',
  'cloudtrail-trail-deleted',
  'warden-rule-intact',
]);

const triggersOf = (controls: readonly { readonly triggers: readonly string[] }[]) => [
  ...new Set(controls.flatMap((control) => control.triggers)),
];

/** CloudTrail event names per service, as the EventBridge rules match them. */
export const TAMPER_EVENT_NAMES = {
  kms: triggersOf(KEY_CONTROLS),
  cloudtrail: triggersOf(TRAIL_CONTROLS),
  events: triggersOf(RULE_CONTROLS),
} as const;

export const TAMPER_GUARD_EVENT_NAMES: readonly string[] = [
  ...TAMPER_EVENT_NAMES.kms,
  ...TAMPER_EVENT_NAMES.cloudtrail,
  ...TAMPER_EVENT_NAMES.events,
];
