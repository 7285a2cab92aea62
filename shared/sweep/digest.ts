import type { Alert } from '#shared/contracts/alert.ts';
import { SEVERITY_RANK, type Severity } from '#shared/contracts/controls.ts';
import { SWEEP_ACTOR_TYPE, SWEEP_EVENT_NAME } from '#shared/events/sweep-call.ts';
import type { ExpiringExemption } from '#shared/policy/exemptions.ts';
import { limitFindings, type SweepTally, totalsOf } from './tally.ts';

/** Findings named one by one in a digest besides every CRITICAL one (Slack shows 20 outcome sections). */
export const DIGEST_NAMED_FINDINGS = 20;

export interface SweepSummary {
  readonly sweepId: string;
  readonly startedAt: string;
  /** Where the hub runs: the digest's account and region. */
  readonly accountId: string;
  readonly region: string;
  readonly dryRun: boolean;
  /** Exemptions that stop applying within a week: the daily warning before they expire. */
  readonly expiringExemptions?: readonly ExpiringExemption[];
}

/** A line of counts per control, in a stable order. */
export function controlLines(tally: SweepTally): string[] {
  return Object.keys(tally.byControl)
    .sort()
    .map((control) => {
      const counts = tally.byControl[control] ?? {};
      return `${control}: ${counts.ALREADY_COMPLIANT ?? 0} compliant, ${counts.REMEDIATED ?? 0} repaired, ${counts.DETECTED ?? 0} detected, ${counts.FAILED ?? 0} failed, ${counts.SKIPPED ?? 0} skipped`;
    });
}

/**
 * One alert for a whole sweep instead of one per bucket: totals per control, every CRITICAL finding and
 * the worst others named, errors and drift, and the command that lists every action. Nothing to say
 * (everything compliant, no errors) means no alert: a second sweep right after a clean one is silent.
 */
export function sweepDigest(summary: SweepSummary, tally: SweepTally): Alert | undefined {
  const totals = totalsOf(tally);
  const found = totals.repaired + totals.detected + totals.failed;
  const expiring = summary.expiringExemptions ?? [];
  if (found === 0 && totals.errors === 0 && expiring.length === 0) return undefined;
  const named = limitFindings(tally.findings, DIGEST_NAMED_FINDINGS);
  const worst = named.reduce<Severity>(
    (max, { outcome }) => (SEVERITY_RANK[outcome.severity] > SEVERITY_RANK[max] ? outcome.severity : max),
    totals.errors > 0 ? 'HIGH' : expiring.length > 0 ? 'LOW' : 'INFORMATIONAL',
  );
  const verb = summary.dryRun ? 'would repair' : 'repaired';
  const unnamed = tally.findings.length - named.length;
  const lines = [
    `${totals.resources} resources checked: ${totals.repaired} ${verb}, ${totals.detected} detected, ${totals.failed} failed, ${totals.skipped} skipped, ${totals.errors} errors.`,
    ...controlLines(tally),
    ...(totals.drift > 0
      ? [
          `Drift the events missed: ${totals.drift} repair(s) on resources an earlier sweep had found compliant. Check the trail and the forwarding rules (npx warden doctor).`,
        ]
      : []),
    ...tally.errors
      .slice(0, 5)
      .map(
        (error) => `Not checked: ${error.resource} (${error.accountId}, ${error.region}): ${error.reason}`,
      ),
    ...(tally.errors.length > 5 ? [`…and ${tally.errors.length - 5} more errors.`] : []),
    ...expiring.map(
      ({ exemption, daysLeft, expiresAt }) =>
        `Exemption ${exemption.bucket} (${exemption.reason}) expires in ${daysLeft} day(s), at ${expiresAt}: renew it in warden.policy.yaml or let Warden guard the bucket again.`,
    ),
    ...(unnamed > 0
      ? [`${unnamed} more findings are not named here: npx warden audit list --since ${summary.startedAt}`]
      : []),
  ];
  return {
    eventId: `sweep-${summary.sweepId}`,
    severity: worst,
    title: `Sweep ${summary.sweepId}: ${totals.repaired} ${verb}, ${totals.detected + totals.failed} still non-compliant`,
    summary: lines.join('\n'),
    accountId: summary.accountId,
    region: summary.region,
    resourceType: 'WardenSweep',
    resource: `sweep ${summary.sweepId}`,
    eventName: SWEEP_EVENT_NAME,
    eventTime: summary.startedAt,
    actor: { type: SWEEP_ACTOR_TYPE },
    // Each finding names its resource (several accounts and regions share one digest); no state dumps.
    outcomes: named.map(({ accountId, region, outcome }) => ({
      controlId: outcome.controlId,
      title: outcome.title,
      severity: outcome.severity,
      compliance: outcome.compliance,
      resource: outcome.resource,
      status: outcome.status,
      reason: `${outcome.resource} (${accountId}, ${region}): ${outcome.reason}`,
      actions: outcome.actions,
    })),
    links: {
      resource: `https://${summary.region}.console.aws.amazon.com/s3/home?region=${summary.region}`,
      cloudTrailEvent: `https://${summary.region}.console.aws.amazon.com/cloudtrailv2/home?region=${summary.region}#/events`,
    },
  };
}
