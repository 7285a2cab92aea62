import type { ControlOutcome } from '#shared/contracts/outcomes.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import { type FindingScope, type FindingsHome, findingIdOf, findingScopeOf, toFinding } from './finding.ts';
import type { FindingLedger, LedgerEntry } from './finding-ledger.ts';
import type { FindingsImporter } from './importer.ts';

/** What one event (or one sweep call) came to, as the guard pipeline hands it over. */
export interface FindingsReport {
  readonly call: {
    readonly eventId: string;
    readonly eventName: string;
    readonly eventTime: string;
    readonly region: string;
  };
  readonly subject: { readonly resourceType: string; readonly accountId: string };
  readonly outcomes: readonly ControlOutcome[];
  /** The outcomes that are violations (shared/guard/record.ts violationsOf). */
  readonly violations: readonly ControlOutcome[];
}

/** Where the reporter logs and counts: the calling guard's (the sweep has its own). */
export interface Observe {
  readonly log: Pick<Log, 'info' | 'warn' | 'error'>;
  readonly metrics: MetricsRecorder;
}

/** The pipeline's optional Security Hub hook. Never throws: a failed import never blocks a repair. */
export interface FindingsReporter {
  report(report: FindingsReport, observe: Observe): Promise<void>;
}

export interface FindingsReporterDeps {
  readonly home: FindingsHome;
  readonly importFindings: FindingsImporter;
  readonly ledger: FindingLedger;
  readonly clock: Clock;
}

type Planned = {
  readonly scope: FindingScope;
  readonly entry: LedgerEntry;
  readonly outcome: ControlOutcome;
  /** Security Hub has no such finding yet: it is first observed at the event, not at a past import. */
  readonly isNew: boolean;
};

/**
 * A violation is imported (open, or resolved when Warden repaired it); a compliant outcome updates the
 * finding to resolved only when Warden's ledger says an open one exists, and imports nothing otherwise.
 * Only the hub's own account: Security Hub takes a finding of the default product only from the account
 * the finding is about, so a member account's findings are counted (FindingsNotImported), not sent.
 */
export function securityHubFindingsReporter(deps: FindingsReporterDeps): FindingsReporter {
  const { home } = deps;

  async function ledgerOf(
    scope: FindingScope,
    { log, metrics }: Observe,
  ): Promise<ReadonlyMap<string, LedgerEntry> | undefined> {
    try {
      return await deps.ledger.read(scope);
    } catch (error) {
      log.warn(
        'Security Hub ledger unreadable: violations are imported, compliant outcomes left as they are',
        {
          resource: scope.resource,
          error: (error as Error)?.message,
        },
      );
      metrics.count('FindingsImportFailures');
      return undefined;
    }
  }

  async function plan(report: FindingsReport, now: Date, observe: Observe): Promise<Planned[]> {
    const planned: Planned[] = [];
    const ledgers = new Map<string, Promise<ReadonlyMap<string, LedgerEntry> | undefined>>();
    for (const outcome of report.outcomes) {
      if (outcome.status === 'SKIPPED') continue;
      const scope = findingScopeOf({
        ...report.subject,
        region: report.call.region,
        resource: outcome.resource,
      });
      const key = `${scope.region}#${scope.resource}`;
      if (!ledgers.has(key)) ledgers.set(key, ledgerOf(scope, observe));
      const known = (await ledgers.get(key))?.get(outcome.controlId);
      const isViolation = report.violations.includes(outcome);
      // Compliant and never imported (or already resolved): nothing to say to Security Hub.
      if (!isViolation && !known?.open) continue;
      const resolved =
        !isViolation || outcome.status === 'REMEDIATED' || outcome.status === 'ALREADY_COMPLIANT';
      planned.push({
        scope,
        outcome,
        isNew: known === undefined,
        entry: {
          controlId: outcome.controlId,
          findingId: findingIdOf(scope, outcome.controlId),
          open: !resolved,
          createdAt: known?.createdAt ?? now.toISOString(),
        },
      });
    }
    return planned;
  }

  async function record(planned: readonly Planned[], importedIds: ReadonlySet<string>, now: Date) {
    const byScope = new Map<string, { scope: FindingScope; entries: LedgerEntry[] }>();
    for (const { scope, entry } of planned.filter((item) => importedIds.has(item.entry.findingId))) {
      const key = `${scope.region}#${scope.resource}`;
      const group = byScope.get(key) ?? { scope, entries: [] };
      group.entries.push(entry);
      byScope.set(key, group);
    }
    await Promise.all(
      [...byScope.values()].map(({ scope, entries }) => deps.ledger.mark(scope, entries, now)),
    );
  }

  async function report(input: FindingsReport, observe: Observe): Promise<void> {
    const { log, metrics } = observe;
    const now = deps.clock.now();
    const planned = await plan(input, now, observe);
    if (planned.length === 0) return;
    const findings = planned.map(({ outcome, entry, isNew }) =>
      toFinding(
        {
          outcome,
          resourceType: input.subject.resourceType,
          accountId: input.subject.accountId,
          region: input.call.region,
          eventId: input.call.eventId,
          eventName: input.call.eventName,
          observedAt: input.call.eventTime || now.toISOString(),
          resolved: !entry.open,
          ...(isNew ? {} : { createdAt: entry.createdAt }),
        },
        home,
        now,
      ),
    );
    const { imported, failed } = await deps.importFindings(findings);
    for (const item of planned) {
      const ok = imported.includes(item.entry.findingId);
      metrics.count(ok ? 'FindingsImported' : 'FindingsImportFailures', { control: item.outcome.controlId });
    }
    if (failed.length > 0)
      log.error('Security Hub did not import findings', {
        eventId: input.call.eventId,
        failed: failed.slice(0, 20),
      });
    await record(planned, new Set(imported), now);
  }

  return {
    async report(input, observe) {
      const { log, metrics } = observe;
      if (input.subject.accountId !== home.accountId) {
        if (input.violations.length > 0) {
          log.info('Findings of a member account are not imported into Security Hub', {
            eventId: input.call.eventId,
            accountId: input.subject.accountId,
          });
          metrics.count('FindingsNotImported');
        }
        return;
      }
      try {
        await report(input, observe);
      } catch (error) {
        log.error('Security Hub findings were not recorded', {
          eventId: input.call.eventId,
          error: (error as Error)?.message,
        });
        metrics.count('FindingsImportFailures');
      }
    },
  };
}
