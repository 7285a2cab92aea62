import { SEVERITY_RANK, type Severity } from '#shared/contracts/controls.ts';
import type { ControlOutcome, GuardResult, OutcomeStatus } from '#shared/contracts/outcomes.ts';

/**
 * What a sweep found, summed across its work items. Pure data: merged in memory by the CLI and in the
 * sweep ledger by the workers, so one sweep's items can be tallied in any order and any number of places.
 */
export interface SweepTally {
  /** Resources (buckets, accounts) a control judged. */
  readonly resources: number;
  /** Outcomes per control and status: the closing table. */
  readonly byControl: Readonly<Record<string, Partial<Record<OutcomeStatus, number>>>>;
  /** Resources left alone on purpose (exempt, deleted meanwhile), with why. */
  readonly skipped: number;
  /** Every outcome that was not compliant, most severe first (bounded where stored: see limitFindings). */
  readonly findings: readonly SweepFinding[];
  /** Work that could not be done at all (a listing denied, a member role missing, a resource unreadable). */
  readonly errors: readonly SweepError[];
  /** Repairs where an earlier sweep had already found the resource compliant, or never saw it: missed events. */
  readonly drift: number;
}

export interface SweepFinding {
  readonly accountId: string;
  readonly region: string;
  readonly outcome: ControlOutcome;
}

export interface SweepError {
  readonly accountId: string;
  readonly region: string;
  /** The bucket, the account or the listing that failed. */
  readonly resource: string;
  readonly reason: string;
}

export const EMPTY_TALLY: SweepTally = {
  resources: 0,
  byControl: {},
  skipped: 0,
  findings: [],
  errors: [],
  drift: 0,
};

/** Outcomes that leave something non-compliant or that Warden changed: what the report and digest name. */
export const isFinding = (outcome: Pick<ControlOutcome, 'status'>): boolean =>
  outcome.status !== 'ALREADY_COMPLIANT' && outcome.status !== 'SKIPPED';

/** Still non-compliant after the sweep (the exit code and the digest's "remaining" count). */
export const remainsNonCompliant = (outcome: Pick<ControlOutcome, 'status'>): boolean =>
  outcome.status === 'DETECTED' || outcome.status === 'FAILED';

const bySeverity = (a: SweepFinding, b: SweepFinding) =>
  SEVERITY_RANK[b.outcome.severity as Severity] - SEVERITY_RANK[a.outcome.severity as Severity] ||
  a.outcome.resource.localeCompare(b.outcome.resource);

/** One resource's guard result as a tally; `drifted` says whether its repairs count as missed events. */
export function tallyResult(
  where: { readonly accountId: string; readonly region: string },
  result: GuardResult,
  drifted: (outcome: ControlOutcome) => boolean,
): SweepTally {
  if (result.status === 'IGNORED') return { ...EMPTY_TALLY, skipped: 1 };
  if (result.status !== 'PROCESSED' || result.outcomes.length === 0)
    return result.status === 'PROCESSED'
      ? EMPTY_TALLY
      : tallyError({
          ...where,
          resource: result.eventId ?? 'unknown',
          reason: result.reason ?? result.status,
        });
  const byControl: Record<string, Partial<Record<OutcomeStatus, number>>> = {};
  for (const outcome of result.outcomes) {
    const counts = byControl[outcome.controlId] ?? {};
    counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
    byControl[outcome.controlId] = counts;
  }
  const findings = result.outcomes.filter(isFinding).map((outcome) => ({ ...where, outcome }));
  const drift = result.outcomes.filter((o) => o.status === 'REMEDIATED' && drifted(o)).length;
  return { ...EMPTY_TALLY, resources: 1, byControl, findings, drift };
}

export const tallyError = (error: SweepError): SweepTally => ({ ...EMPTY_TALLY, errors: [error] });

/** Sums two tallies (associative and commutative, so items can be merged in any order). */
export function mergeTallies(a: SweepTally, b: SweepTally): SweepTally {
  const byControl: Record<string, Partial<Record<OutcomeStatus, number>>> = { ...a.byControl };
  for (const [control, counts] of Object.entries(b.byControl)) {
    const merged = { ...byControl[control] };
    for (const [status, count] of Object.entries(counts) as [OutcomeStatus, number][])
      merged[status] = (merged[status] ?? 0) + count;
    byControl[control] = merged;
  }
  return {
    resources: a.resources + b.resources,
    byControl,
    skipped: a.skipped + b.skipped,
    findings: [...a.findings, ...b.findings].sort(bySeverity),
    errors: [...a.errors, ...b.errors],
    drift: a.drift + b.drift,
  };
}

/** Keeps every CRITICAL finding and the `limit` worst others; the counts keep the rest. */
export function limitFindings(findings: readonly SweepFinding[], limit: number): SweepFinding[] {
  const sorted = [...findings].sort(bySeverity);
  const critical = sorted.filter((finding) => finding.outcome.severity === 'CRITICAL');
  return [
    ...critical,
    ...sorted.filter((finding) => finding.outcome.severity !== 'CRITICAL').slice(0, limit),
  ];
}

/** Totals across controls, for the summary line, the metrics and the exit code. */
export function totalsOf(tally: SweepTally) {
  const sum = (status: OutcomeStatus) =>
    Object.values(tally.byControl).reduce((total, counts) => total + (counts[status] ?? 0), 0);
  return {
    resources: tally.resources,
    compliant: sum('ALREADY_COMPLIANT'),
    repaired: sum('REMEDIATED'),
    detected: sum('DETECTED'),
    failed: sum('FAILED'),
    skipped: sum('SKIPPED') + tally.skipped,
    errors: tally.errors.length,
    drift: tally.drift,
  };
}
