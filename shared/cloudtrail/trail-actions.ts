import {
  type AdvancedEventSelector,
  type CloudTrailClient,
  type EventSelector,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { callAws } from '#shared/errors/errors.ts';
import type { TrailAction } from '#shared/model/trail.ts';

/** What CloudTrail records for a trail created without selectors. */
const DEFAULT_SELECTOR = { ReadWriteType: 'All', IncludeManagementEvents: true } as const;

/** Applies one planned trail action, by trail name (the emulator answers 500 to an ARN here). */
export async function applyTrailAction(cloudTrail: Pick<CloudTrailClient, 'send'>, action: TrailAction) {
  if (action.type === 'StartLogging') {
    await callAws(`starting logging on trail ${action.trail}`, () =>
      cloudTrail.send(new StartLoggingCommand({ Name: action.trail })),
    );
    return;
  }
  const { EventSelectors, AdvancedEventSelectors } = action.selectors;
  // No selector at all was CloudTrail's default (all management events): write that default explicitly,
  // since an empty list would record nothing.
  const basic = EventSelectors && EventSelectors.length > 0 ? EventSelectors : [DEFAULT_SELECTOR];
  await callAws(`restoring the event selectors of trail ${action.trail}`, () =>
    cloudTrail.send(
      new PutEventSelectorsCommand({
        TrailName: action.trail,
        // Advanced selectors replace basic ones: send whichever kind the last-known-good copy had.
        ...(AdvancedEventSelectors && AdvancedEventSelectors.length > 0
          ? { AdvancedEventSelectors: AdvancedEventSelectors as AdvancedEventSelector[] }
          : { EventSelectors: basic as EventSelector[] }),
      }),
    ),
  );
}
