import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { GuardResult } from '#shared/contracts/outcomes.ts';
import type { Log, MetricsRecorder } from '#shared/observability/observability.ts';

const MAX_ISSUES = 10;

/** Person-readable list of schema issues: the path of each bad field and what is wrong with it. */
export function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  const lines = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.');
    return `${path || '(event)'}: ${issue.message}`;
  });
  if (issues.length > MAX_ISSUES) lines.push(`... and ${issues.length - MAX_ISSUES} more`);
  return lines.join('; ');
}

/** Powertools' ParseError carries the Standard Schema issues as its `cause`; a ZodError has `issues`. */
function issuesOf(error: unknown): readonly StandardSchemaV1.Issue[] {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (Array.isArray(cause)) return cause as StandardSchemaV1.Issue[];
  const nested = (cause as { issues?: StandardSchemaV1.Issue[] } | undefined)?.issues;
  const direct = (error as { issues?: StandardSchemaV1.Issue[] } | undefined)?.issues;
  return nested ?? direct ?? [];
}

/**
 * A malformed event is terminal: retrying cannot fix it. It is logged (paths and messages only, not
 * the payload) and counted (an alarm watches `EventsRejected`), and the handler returns normally
 * so Lambda does not retry it.
 */
export function rejectInvalidEvent(
  deps: { readonly log: Log; readonly metrics: MetricsRecorder },
  error: unknown,
  originalEvent: unknown,
): GuardResult {
  const issues = issuesOf(error);
  const reason = `Malformed CloudTrail event: ${issues.length > 0 ? describeIssues(issues) : String(error)}`;
  const eventId = (originalEvent as { detail?: { eventID?: unknown } } | null)?.detail?.eventID;
  deps.log.error('Event rejected', { reason, ...(typeof eventId === 'string' ? { eventId } : {}) });
  deps.metrics.count('EventsRejected');
  return { status: 'REJECTED', reason, outcomes: [], ...(typeof eventId === 'string' ? { eventId } : {}) };
}
