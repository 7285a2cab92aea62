import type { RuleAction, RuleState, RuleStatePart } from '#shared/model/event-rule.ts';
import type { KeyAction, KeyState, KeyStatePart } from '#shared/model/kms-key.ts';
import type { TrailAction, TrailState, TrailStatePart } from '#shared/model/trail.ts';
import type { Control } from './types.ts';

/** tamper-guard's three kinds of control: over a KMS key, a CloudTrail trail, one of Warden's rules. */
export type KeyControl = Control<KeyState, KeyStatePart, KeyAction>;
export type TrailControl = Control<TrailState, TrailStatePart, TrailAction>;
export type RuleControl = Control<RuleState, RuleStatePart, RuleAction>;
