import { controlLines } from '#shared/sweep/digest.ts';
import type { SweepProgress } from '#shared/sweep/run.ts';
import { remainsNonCompliant, type SweepTally, totalsOf } from '#shared/sweep/tally.ts';
import { renderTable } from './output.ts';

/** `warden sweep` exit codes (README, "Sweep existing resources"). */
export const SWEEP_EXIT = {
  /** Nothing non-compliant remains. */
  clean: 0,
  /** Findings remain: a dry run, a detect-mode control or a failed repair. */
  findings: 1,
  /** Something could not be checked (a listing denied, a member role missing, an unreadable bucket). */
  errors: 3,
} as const;

export function sweepExitCode(tally: SweepTally): number {
  if (tally.errors.length > 0) return SWEEP_EXIT.errors;
  return tally.findings.some(({ outcome }) => remainsNonCompliant(outcome))
    ? SWEEP_EXIT.findings
    : SWEEP_EXIT.clean;
}

/**
 * A dry run reports every repair as detected ("Would ..."); the controls the real policy enforces are the
 * ones Warden would repair. Undefined: not a dry run.
 */
export type WouldRepair = ReadonlySet<string> | undefined;

/** The closing summary: one row per control, then what could not be checked. */
export function renderSummary(tally: SweepTally, wouldRepair: WouldRepair): string {
  const dryRun = wouldRepair !== undefined;
  const rows = Object.keys(tally.byControl)
    .sort()
    .map((control) => {
      const counts = tally.byControl[control] ?? {};
      const detected = counts.DETECTED ?? 0;
      const repairs = dryRun && wouldRepair.has(control) ? detected : (counts.REMEDIATED ?? 0);
      return [
        control,
        String(counts.ALREADY_COMPLIANT ?? 0),
        String(repairs),
        String(dryRun && wouldRepair.has(control) ? 0 : detected),
        String(counts.FAILED ?? 0),
        String(counts.SKIPPED ?? 0),
      ];
    });
  const totals = totalsOf(tally);
  const lines = [
    renderTable(
      ['control', 'compliant', dryRun ? 'would repair' : 'repaired', 'detected', 'failed', 'skipped'],
      rows,
    ),
    '',
    `${totals.resources} resources checked, ${tally.skipped} skipped (exempt or deleted meanwhile), ${totals.errors} errors, drift the events missed: ${totals.drift}.`,
    ...tally.errors.map(
      (error) => `Not checked: ${error.resource} (${error.accountId}, ${error.region}): ${error.reason}`,
    ),
  ];
  return lines.join('\n');
}

const statusLabel = (outcome: { controlId: string; status: string }, wouldRepair: WouldRepair) =>
  wouldRepair?.has(outcome.controlId) && outcome.status === 'DETECTED' ? 'WOULD FIX' : outcome.status;

/** Per non-compliant resource: the control and what Warden did or would do. */
export function renderFindings(tally: SweepTally, wouldRepair: WouldRepair): string {
  return tally.findings
    .map(({ accountId, region, outcome }) => {
      const actions = outcome.actions.map((action) => `\n    - ${action}`).join('');
      return `${statusLabel(outcome, wouldRepair).padEnd(10)} ${outcome.controlId}  ${outcome.resource} (${accountId}, ${region})\n    ${outcome.reason}${actions}`;
    })
    .join('\n');
}

/** The whole report for `--json`: totals, per-control counts, every finding and error. */
export function sweepJson(
  run: { readonly sweepId: string; readonly startedAt: string; readonly dryRun: boolean },
  tally: SweepTally,
  exitCode: number,
  wouldRepair: WouldRepair,
) {
  return {
    ...run,
    exitCode,
    totals: totalsOf(tally),
    controls: tally.byControl,
    summary: controlLines(tally),
    findings: tally.findings.map(({ accountId, region, outcome }) => ({
      accountId,
      region,
      ...outcome,
      ...(wouldRepair
        ? { wouldRepair: wouldRepair.has(outcome.controlId) && outcome.status === 'DETECTED' }
        : {}),
    })),
    errors: tally.errors,
  };
}

const BAR_WIDTH = 30;

/** A one-line progress bar for a terminal: buckets done / listed, and the rate. */
export function progressLine(progress: SweepProgress, elapsedMs: number): string {
  const { bucketsDone, bucketsKnown, listing } = progress;
  const share = bucketsKnown === 0 ? 0 : bucketsDone / bucketsKnown;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = elapsedMs > 0 ? (bucketsDone / elapsedMs) * 1000 : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${bucketsDone}/${bucketsKnown}${listing ? '+' : ''} buckets, ${rate.toFixed(1)}/s`;
}
