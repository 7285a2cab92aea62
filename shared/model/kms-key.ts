import { type ActionTense, verb } from './action-tense.ts';

/**
 * The SDK-free model of a KMS key as tamper-guard judges it: its state, its policy, why Warden protects
 * it and which buckets depend on it. Controls and adapters both import it; it imports no SDK.
 */

/** The parts of a key's state a control may read; the reader fetches only these. */
export type KeyStatePart = 'key' | 'policy' | 'baselinePolicy' | 'protection';

/** Why Warden protects a key: any reason suffices. */
export type ProtectionReason =
  | { readonly kind: 'warden-alias'; readonly alias: string }
  | { readonly kind: 'approved' }
  | { readonly kind: 'bucket-default'; readonly buckets: readonly string[] }
  /** Not every bucket could be checked: deleting a key is forever, so Warden assumes a bucket needs it. */
  | { readonly kind: 'unchecked-buckets'; readonly why: string };

export interface KeyProtection {
  readonly reasons: readonly ProtectionReason[];
  /** Buckets whose default encryption uses the key (those checked; see `unchecked-buckets`). */
  readonly dependentBuckets: readonly string[];
}

/** A key's last-known-good policy: the last policy Warden observed that grants nothing outside the account. */
export interface KeyPolicyBaseline {
  readonly policy: string;
  readonly observedAt: string;
  readonly eventId: string;
}

export interface KeyState {
  /** The key id (what the KMS calls take; the emulator refuses ARNs for some). */
  readonly keyId: string;
  readonly arn: string;
  readonly aliases: readonly string[];
  /** `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`, ... */
  readonly keyState?: string;
  /** `CUSTOMER` or `AWS`: AWS managed keys cannot be deleted, disabled or re-policied by anyone. */
  readonly keyManager?: string;
  readonly deletionDate?: string;
  /** The key policy named `default`, as GetKeyPolicy returns it. */
  readonly policy?: string;
  readonly baselinePolicy?: KeyPolicyBaseline | null;
  readonly protection?: KeyProtection;
}

/** A write Warden may make to a key: plain data, planned by a control, applied by shared/kms. */
export type KeyAction =
  | { readonly type: 'CancelKeyDeletion'; readonly keyId: string }
  | { readonly type: 'EnableKey'; readonly keyId: string }
  | { readonly type: 'PutKeyPolicy'; readonly keyId: string; readonly policy: string; readonly why: string };

export function describeKeyAction(action: KeyAction, tense: ActionTense = 'done'): string {
  switch (action.type) {
    case 'CancelKeyDeletion':
      return `${verb(tense, 'Cancelled', 'cancel')} the scheduled deletion of KMS key ${action.keyId} (CancelKeyDeletion)`;
    case 'EnableKey':
      return `${verb(tense, 'Enabled', 'enable')} KMS key ${action.keyId} (EnableKey)`;
    case 'PutKeyPolicy':
      return `${verb(tense, 'Set', 'set')} the policy of KMS key ${action.keyId} to ${action.why} (PutKeyPolicy)`;
  }
}

export const isProtected = (state: KeyState): boolean => (state.protection?.reasons.length ?? 0) > 0;

/** One sentence: why Warden protects the key and what depends on it. */
export function describeProtection(state: KeyState): string {
  const reasons = (state.protection?.reasons ?? []).map((reason) => {
    if (reason.kind === 'warden-alias') return `it is Warden's key ${reason.alias}`;
    if (reason.kind === 'approved') return 'it is listed in s3.approvedKmsKeyArns';
    if (reason.kind === 'bucket-default')
      return `bucket(s) ${listed(reason.buckets)} use it as default encryption`;
    return `not every bucket could be checked (${reason.why}), so a bucket may depend on it`;
  });
  return reasons.length > 0 ? `Warden protects it: ${reasons.join('; ')}.` : '';
}

/** A key named for people: its aliases, else its id. */
export const keyName = (state: Pick<KeyState, 'keyId' | 'aliases'>): string =>
  state.aliases.length > 0 ? `${state.aliases.join(', ')} (${state.keyId})` : state.keyId;

/** At most five names, for a sentence. */
export function listed(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown || 'none';
}

/** What the alert and the audit trail show of a key: its real configuration, never Warden's context. */
export function keyView(state: KeyState, reads: readonly KeyStatePart[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (reads.includes('key')) {
    view.keyState = state.keyState;
    if (state.deletionDate) view.deletionDate = state.deletionDate;
  }
  if (reads.includes('policy') && state.policy !== undefined) view.policy = parsedOrText(state.policy);
  return view;
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const KEY_RESOURCE_TYPE = 'AWS::KMS::Key';
