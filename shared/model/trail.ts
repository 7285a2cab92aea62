import { type ActionTense, verb } from './action-tense.ts';

/** The SDK-free model of a CloudTrail trail as tamper-guard judges it. */

export type TrailStatePart = 'status' | 'selectors' | 'baselineSelectors' | 'others';

/** A field selector of an advanced event selector, as CloudTrail returns it. */
export interface FieldSelector {
  readonly Field?: string;
  readonly Equals?: readonly string[];
  readonly NotEquals?: readonly string[];
  readonly StartsWith?: readonly string[];
  readonly NotStartsWith?: readonly string[];
  readonly EndsWith?: readonly string[];
  readonly NotEndsWith?: readonly string[];
}

/** Basic and advanced event selectors as CloudTrail returns them (advanced ones replace basic ones). */
export interface TrailSelectors {
  readonly EventSelectors?: readonly {
    readonly ReadWriteType?: string;
    readonly IncludeManagementEvents?: boolean;
    readonly DataResources?: readonly { readonly Type?: string; readonly Values?: readonly string[] }[];
    readonly ExcludeManagementEventSources?: readonly string[];
  }[];
  readonly AdvancedEventSelectors?: readonly {
    readonly Name?: string;
    readonly FieldSelectors?: readonly FieldSelector[];
  }[];
}

/** The last selectors Warden observed that record management write events. */
export interface SelectorsBaseline {
  readonly selectors: TrailSelectors;
  readonly observedAt: string;
  readonly eventId: string;
}

export interface TrailState {
  /** The trail's name (the emulator takes names only) and ARN. */
  readonly name: string;
  readonly arn: string;
  readonly exists: boolean;
  /** Listed in `tamper.trails`, or (none listed) a trail that records management events. */
  readonly protected: boolean;
  readonly isLogging?: boolean;
  readonly selectors?: TrailSelectors;
  readonly baselineSelectors?: SelectorsBaseline | null;
  /** Other trails of the account that are logging management write events (for a deleted trail). */
  readonly otherLoggingTrails?: readonly string[];
}

export type TrailAction =
  | { readonly type: 'StartLogging'; readonly trail: string }
  | { readonly type: 'PutEventSelectors'; readonly trail: string; readonly selectors: TrailSelectors };

export function describeTrailAction(action: TrailAction, tense: ActionTense = 'done'): string {
  return action.type === 'StartLogging'
    ? `${verb(tense, 'Started', 'start')} logging on trail ${action.trail} (StartLogging)`
    : `${verb(tense, 'Restored', 'restore')} the last-known-good event selectors of trail ${action.trail} (PutEventSelectors)`;
}

/**
 * Whether selectors record management write events, the API calls Warden reacts to. Advanced selectors
 * replace basic ones when present: a management selector (`eventCategory` = `Management`) whose
 * `readOnly` field, if any, admits `false`. Basic: management events on, not read-only. No selector at
 * all is CloudTrail's default for a trail created without any: all management events (AWS then reports
 * that default selector; emulators such as moto report none).
 */
export function recordsManagementWrites(selectors: TrailSelectors): boolean {
  const advanced = selectors.AdvancedEventSelectors ?? [];
  const basic = selectors.EventSelectors ?? [];
  if (advanced.length === 0 && basic.length === 0) return true;
  if (advanced.length > 0)
    return advanced.some(({ FieldSelectors = [] }) => {
      const field = (name: string) => FieldSelectors.find((selector) => selector.Field === name);
      if (!field('eventCategory')?.Equals?.includes('Management')) return false;
      const readOnly = field('readOnly');
      return (
        (readOnly?.Equals === undefined || readOnly.Equals.includes('false')) &&
        !readOnly?.NotEquals?.includes('false')
      );
    });
  return basic.some(
    (selector) => selector.IncludeManagementEvents !== false && selector.ReadWriteType !== 'ReadOnly',
  );
}

export function trailView(state: TrailState, reads: readonly TrailStatePart[]): Record<string, unknown> {
  const view: Record<string, unknown> = { exists: state.exists };
  if (reads.includes('status') && state.isLogging !== undefined) view.isLogging = state.isLogging;
  if (reads.includes('selectors') && state.selectors) view.selectors = state.selectors;
  return view;
}

/** A trail ARN's name (the part after `trail/`), or the name as given. */
export const trailNameOf = (nameOrArn: string): string =>
  nameOrArn.replace(/^arn:[^:]+:cloudtrail:[^:]*:\d{12}:trail\//, '');

/** The region a trail ARN names, when it is an ARN. */
export const trailRegionOf = (nameOrArn: string): string | undefined =>
  /^arn:[^:]+:cloudtrail:([^:]+):\d{12}:trail\//.exec(nameOrArn)?.[1];

export const TRAIL_RESOURCE_TYPE = 'AWS::CloudTrail::Trail';
