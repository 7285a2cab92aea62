import { buildAlert } from '#shared/alerts/alert.ts';
import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { AuditLog, AuditRecord } from '#shared/audit/audit-log.ts';
import type { BaselineStore } from '#shared/audit/baseline-store.ts';
import type { PendingFixes, RemediationJournal } from '#shared/audit/remediation-journal.ts';
import type { ClientsFor } from '#shared/aws/cross-account.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import {
  ACCOUNT_CONTROLS,
  BASELINE_ENDING_EVENT_NAMES,
  BUCKET_CONTROLS,
  S3_GUARD_EVENT_NAMES,
} from '#shared/controls/registry.ts';
import type { AccountControl, BucketControl, Control, EvaluationContext } from '#shared/controls/types.ts';
import { ResourceGoneError, WardenError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import {
  type AccountAction,
  type AccountState,
  type AccountStatePart,
  describeAccountAction,
} from '#shared/model/account.ts';
import type { ActionTense } from '#shared/model/action-tense.ts';
import type { BucketState, BucketStatePart } from '#shared/model/bucket.ts';
import { type BucketAction, describeAction } from '#shared/model/bucket-actions.ts';
import {
  ACCOUNT_RESOURCE_TYPE,
  accountResource,
  accountView,
  BUCKET_RESOURCE_TYPE,
  bucketView,
} from '#shared/model/views.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import { applyAccountAction } from '#shared/s3/account/account-actions.ts';
import { type AccountStateDeps, readAccountState } from '#shared/s3/account/account-state.ts';
import { applyBucketAction, type BucketActionDeps } from '#shared/s3/bucket-actions.ts';
import { type BucketStateDeps, readBucketState } from '#shared/s3/bucket-state.ts';
import { controlsFor, type Evaluation, evaluateResource, statePartsFor } from './evaluate.ts';
import { bucketNameOf, ignoreReason, isExemptBucket, memberRoleNameOf } from './ignore.ts';

export interface S3GuardDeps extends BucketStateDeps, BucketActionDeps, AccountStateDeps {
  readonly config: Pick<GuardConfig, 'kmsKeyArn' | 'ownSessionArns' | 'policy'>;
  readonly alerts: AlertPublisher;
  readonly audit: AuditLog;
  /** Last-known-good bucket policies, kept in the audit table. */
  readonly baselines: BaselineStore;
  /** What each event's fixes started, so a retry after a later failure still reports the repair. */
  readonly journal: RemediationJournal;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  readonly clock: Clock;
  readonly once: OnceWrapper;
  readonly controls?: readonly BucketControl[];
  readonly accountControls?: readonly AccountControl[];
  /** Waits between read-backs of account-level settings, which S3 shows after a delay. */
  readonly pause?: (milliseconds: number) => Promise<void>;
  /**
   * Clients for the event's account and region (organization mode: the assumed member role, see
   * shared/aws/cross-account.ts). Defaults to `s3` and `s3Control` for every event.
   */
  readonly clientsFor?: ClientsFor<S3Clients>;
}

/** The clients that read and write one account's S3 settings in one region, and Warden's key there. */
export type S3Clients = Pick<S3GuardDeps, 's3' | 's3Control' | 'kmsKeys'>;

/** The remediation of one event, stored per event id so a redelivery or retry never repairs twice. */
interface Remediation {
  readonly outcomes: readonly ControlOutcome[];
  readonly skippedReason?: string;
}

/**
 * What the pipeline needs to know about one kind of resource (a bucket, or the account's S3 settings):
 * how to read it, write it, show it, and what to do once the outcomes are known.
 */
interface Target<State, Part extends string, Action> {
  readonly resourceType: string;
  readonly resource: string;
  read(parts: ReadonlySet<Part>): Promise<State>;
  apply(action: Action): Promise<void>;
  describe(action: Action, tense: ActionTense): string;
  view(state: State, control: Control<State, Part, Action>): Record<string, unknown>;
  /** Read-backs before a fix is judged not to hold (settings that show after a delay need more than one). */
  readonly verifyAttempts: number;
  /** Book-keeping after the outcomes are known (e.g. the last-known-good policy). */
  settle?(
    before: State,
    after: State,
    evaluations: readonly Evaluation<State, Part, Action>[],
  ): Promise<void>;
}

const VERIFY_PAUSE_MS = 1_000;
const ACCOUNT_VERIFY_ATTEMPTS = 3;

function outcomeBase(
  control: Pick<Control<never, string, unknown>, 'id' | 'title' | 'severity' | 'compliance'>,
  resource: string,
): Omit<ControlOutcome, 'status' | 'reason' | 'actions'> {
  return {
    controlId: control.id,
    title: control.title,
    severity: control.severity,
    compliance: control.compliance,
    resource,
  };
}

function plannedActions<Action>(evaluation: Evaluation<unknown, string, Action>): readonly Action[] {
  return evaluation.plan && 'actions' in evaluation.plan ? evaluation.plan.actions : [];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const defaultPause = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export function createS3Guard(deps: S3GuardDeps) {
  const bucketControls = deps.controls ?? BUCKET_CONTROLS;
  const accountControls = deps.accountControls ?? ACCOUNT_CONTROLS;
  const accountEvents = new Set(accountControls.flatMap((control) => control.triggers));
  const handledEvents =
    deps.controls || deps.accountControls
      ? [
          ...new Set([
            ...bucketControls.flatMap((c) => c.triggers),
            ...accountEvents,
            ...BASELINE_ENDING_EVENT_NAMES,
          ]),
        ]
      : S3_GUARD_EVENT_NAMES;
  const pause = deps.pause ?? defaultPause;
  const memberRoleName = memberRoleNameOf(deps.config.policy);

  /** The deps with the clients for the call's account and region, fetched on first use. */
  function depsFor(call: ApiCall): () => Promise<S3GuardDeps> {
    let scoped: Promise<S3GuardDeps> | undefined;
    return () => {
      scoped ??= deps.clientsFor
        ? deps
            .clientsFor({ accountId: call.accountId, region: call.region, eventId: call.eventId })
            .then((clients) => ({
              ...deps,
              s3: clients.s3,
              s3Control: clients.s3Control,
              kmsKeys: clients.kmsKeys,
            }))
        : Promise.resolve(deps);
      return scoped;
    };
  }

  function contextFor(call: ApiCall): EvaluationContext {
    return {
      policy: deps.config.policy,
      wardenKmsKeyArn: deps.config.kmsKeyArn,
      accountId: call.accountId,
      region: call.region,
    };
  }

  /** ignore → read (parallel) → evaluate (pure) → act (parallel per control) → verify → settle → audit. */
  async function runControls<State, Part extends string, Action>(
    call: ApiCall,
    target: Target<State, Part, Action>,
    active: readonly Control<State, Part, Action>[],
  ): Promise<Remediation> {
    const context = contextFor(call);
    const { resource } = target;
    // The journal is read beside the state: on a retry it holds the fixes an earlier attempt applied.
    const [read, journal] = await Promise.allSettled([
      target.read(statePartsFor(active)),
      deps.journal.read(resource, call.eventId),
    ]);
    if (read.status === 'rejected') {
      const error: unknown = read.reason;
      if (error instanceof ResourceGoneError) return { outcomes: [], skippedReason: error.message };
      if (error instanceof WardenError && !error.retryable) {
        // E.g. AccessDenied from an SCP: retrying cannot help, people must know the resource is unchecked.
        const reason = `Warden could not read ${resource}, so it could not check it: ${error.message}`;
        const outcomes = active.map(
          (control): ControlOutcome => ({
            ...outcomeBase(control, resource),
            status: 'FAILED',
            reason,
            actions: [],
          }),
        );
        await deps.audit.record(auditRecordsFor(call, target.resourceType, outcomes, deps.clock.now()));
        return { outcomes };
      }
      throw error;
    }
    if (journal.status === 'rejected') throw journal.reason;
    const state = read.value;
    const pending: PendingFixes = journal.value ?? {};
    const evaluations = evaluateResource(state, active, context);

    // Act: controls in parallel, each plan's actions in order; an action planned by several controls runs once.
    const toApply = evaluations.filter(
      (e) => e.finding && e.mode === 'enforce' && plannedActions(e).length > 0,
    );
    const started = new Map<string, Promise<void>>();
    const applyOnce = (action: Action): Promise<void> => {
      const key = JSON.stringify(action);
      let running = started.get(key);
      if (!running) {
        running = target.apply(action);
        started.set(key, running);
      }
      return running;
    };
    const beforeOf = (control: Control<State, Part, Action>) =>
      pending[control.id]?.before ?? target.view(state, control);
    if (toApply.length > 0) await journalFixes(call, target, toApply, beforeOf);
    const applied = await Promise.allSettled(
      toApply.map(async (e) => {
        for (const action of plannedActions(e)) await applyOnce(action);
      }),
    );
    const retryable = applied.find(
      (result): result is PromiseRejectedResult =>
        result.status === 'rejected' && result.reason instanceof WardenError && result.reason.retryable,
    );
    if (retryable) throw retryable.reason;
    const gone = applied.find(
      (result) => result.status === 'rejected' && result.reason instanceof ResourceGoneError,
    );
    if (gone) return { outcomes: [], skippedReason: `${resource} was deleted while Warden repaired it` };
    const failures = new Map<Control<State, Part, Action>, string>();
    applied.forEach((result, index) => {
      const evaluation = toApply[index];
      if (result.status === 'rejected' && evaluation)
        failures.set(evaluation.control, errorMessage(result.reason));
    });

    // Verify: read back what was written; every control is then judged on the state Warden leaves.
    const fixed = toApply.filter((e) => !failures.has(e.control));
    let after = state;
    let unverified: string | undefined;
    if (fixed.length > 0) {
      const parts = statePartsFor(fixed.map((e) => e.control));
      try {
        for (let attempt = 1; ; attempt++) {
          after = { ...state, ...(await target.read(parts)) };
          const holds = fixed.every((e) => !e.control.check(after, context));
          if (holds || attempt >= target.verifyAttempts) break;
          await pause(VERIFY_PAUSE_MS);
        }
      } catch (error) {
        if (error instanceof ResourceGoneError) return { outcomes: [], skippedReason: error.message };
        // E.g. an SCP denying the read: the fix was sent, but nobody can say it holds.
        if (!(error instanceof WardenError) || error.retryable) throw error;
        unverified = error.message;
      }
    }

    const fixedBy = fixed.map((e) => e.control.id);
    const outcomes = evaluations.map((evaluation): ControlOutcome => {
      const { finding, plan, control } = evaluation;
      const started = pending[control.id];
      const base = outcomeBase(control, resource);
      const others = fixedBy.filter((id) => id !== control.id).join(', ');
      const left = control.check(after, context);
      if (!finding) {
        if (started)
          // An earlier attempt at this event applied the fix, then failed later: this is its read-back.
          return {
            ...base,
            status: 'REMEDIATED',
            reason: started.reason,
            actions: started.actions,
            before: started.before,
            after: target.view(state, control),
          };
        if (!left) return { ...base, status: 'ALREADY_COMPLIANT', reason: 'Compliant.', actions: [] };
        // Compliant when Warden looked, not after its fix of another control: say so, never claim compliance.
        return {
          ...base,
          status: evaluation.mode === 'detect' ? 'DETECTED' : 'FAILED',
          reason: `${left.summary} (after Warden's fix for ${others || 'another control'}; this control was compliant before it)`,
          actions: [],
          before: target.view(state, control),
          after: target.view(after, control),
        };
      }
      const judged = { ...base, before: beforeOf(control) };
      const isFixed = fixed.includes(evaluation);
      if (!isFixed && !left && unverified === undefined)
        // Not this control's own fix (detect mode, blocked or failed), but the state Warden leaves passes it.
        return {
          ...judged,
          status: 'REMEDIATED',
          reason: `${finding.summary} Resolved by Warden's fix for ${others || 'another control'}.`,
          actions: [],
          after: target.view(after, control),
        };
      if (evaluation.mode === 'detect') {
        return {
          ...judged,
          status: 'DETECTED',
          reason: `${finding.summary} (detect mode: Warden changed nothing)`,
          actions: plannedActions(evaluation).map((action) => target.describe(action, 'proposed')),
        };
      }
      const actions = plannedActions(evaluation).map((action) => target.describe(action, 'done'));
      if (plan && 'blocked' in plan)
        return { ...judged, status: 'FAILED', reason: `${finding.summary} ${plan.blocked}`, actions: [] };
      const failure = failures.get(control);
      if (failure)
        return {
          ...judged,
          status: 'FAILED',
          reason: `${finding.summary} The fix failed: ${failure}`,
          actions,
        };
      if (unverified)
        return {
          ...judged,
          status: 'FAILED',
          reason: `${finding.summary} The fix was sent, but Warden could not read it back to verify it: ${unverified}`,
          actions,
        };
      if (left) {
        return {
          ...judged,
          status: 'FAILED',
          reason: `${finding.summary} Read-back after the fix: ${left.summary}`,
          actions,
          after: target.view(after, control),
        };
      }
      return {
        ...judged,
        status: 'REMEDIATED',
        reason: finding.summary,
        actions,
        after: target.view(after, control),
      };
    });

    await target.settle?.(state, after, evaluations);
    await deps.audit.record(auditRecordsFor(call, target.resourceType, outcomes, deps.clock.now()));
    return { outcomes };
  }

  /**
   * Journals the fixes before any is sent (one DynamoDB write, only when there is something to fix): if
   * this write fails, nothing has changed yet and Lambda's retry starts clean.
   */
  async function journalFixes<State, Part extends string, Action>(
    call: ApiCall,
    target: Target<State, Part, Action>,
    toApply: readonly Evaluation<State, Part, Action>[],
    beforeOf: (control: Control<State, Part, Action>) => unknown,
  ): Promise<void> {
    const fixes: PendingFixes = Object.fromEntries(
      toApply.map((evaluation) => [
        evaluation.control.id,
        {
          before: beforeOf(evaluation.control),
          reason: evaluation.finding?.summary ?? '',
          actions: plannedActions(evaluation).map((action) => target.describe(action, 'done')),
        },
      ]),
    );
    await deps.journal.write(target.resource, call.eventId, fixes);
  }

  function bucketTarget(call: ApiCall, bucket: string): Target<BucketState, BucketStatePart, BucketAction> {
    const context = contextFor(call);
    const scoped = depsFor(call);
    return {
      resourceType: BUCKET_RESOURCE_TYPE,
      resource: bucket,
      verifyAttempts: 1,
      read: async (parts) => {
        // The baseline comes from the audit table, read beside the bucket: still one round trip.
        const [state, baselinePolicy] = await Promise.all([
          scoped().then((clients) => readBucketState(clients, bucket, call.accountId, parts)),
          parts.has('baselinePolicy') ? deps.baselines.readPolicy(baselineKeyOf(call, bucket)) : undefined,
        ]);
        return parts.has('baselinePolicy') ? { ...state, baselinePolicy: baselinePolicy ?? null } : state;
      },
      apply: async (action) => applyBucketAction(await scoped(), action, call.accountId),
      describe: describeAction,
      view: (state, control) => bucketView(state, control.reads),
      settle: (before, after, evaluations) => recordPolicyBaseline(call, context, before, after, evaluations),
    };
  }

  /**
   * The last-known-good policy: whenever the policy Warden leaves in place (observed, or as read back
   * after a fix) passes every active policy control, it becomes the bucket's baseline.
   */
  async function recordPolicyBaseline(
    call: ApiCall,
    context: EvaluationContext,
    before: BucketState,
    after: BucketState,
    evaluations: readonly Evaluation<BucketState, BucketStatePart, BucketAction>[],
  ) {
    if (before.policy === undefined) return;
    const policy = after.policy !== undefined ? after.policy : before.policy;
    const final: BucketState = { ...before, policy };
    const policyControls = evaluations
      .map((e) => e.control)
      .filter((control) => control.reads.includes('policy'));
    if (policyControls.some((control) => control.check(final, context))) return;
    if (before.baselinePolicy && before.baselinePolicy.policy === policy) return;
    await deps.baselines.writePolicy(baselineKeyOf(call, before.bucket), {
      policy,
      observedAt: deps.clock.now().toISOString(),
      eventId: call.eventId,
    });
  }

  /**
   * A bucket created or deleted under this name is not the bucket the baseline was taken from. The end is
   * dated at the event, so a baseline Warden observes on the new bucket afterwards (a policy put right after
   * creation, processed first) is not ended by a late CreateBucket.
   */
  async function endPolicyBaseline(call: ApiCall, bucket: string) {
    await deps.baselines.endPolicy(baselineKeyOf(call, bucket), {
      observedAt: eventInstant(call),
      eventId: call.eventId,
      reason: call.eventName,
    });
  }

  function accountTarget(call: ApiCall): Target<AccountState, AccountStatePart, AccountAction> {
    const scoped = depsFor(call);
    return {
      resourceType: ACCOUNT_RESOURCE_TYPE,
      resource: accountResource(call.accountId),
      verifyAttempts: ACCOUNT_VERIFY_ATTEMPTS,
      read: async (parts) => readAccountState(await scoped(), call.accountId, parts),
      apply: async (action) => applyAccountAction(await scoped(), action),
      describe: describeAccountAction,
      view: (state, control) => accountView(state, control.reads),
    };
  }

  type Scoped = ApiCall & { readonly scope: 'bucket' | 'account'; readonly resource: string };

  const remediateOnce = deps.once('remediate', (call: Scoped) =>
    call.scope === 'account'
      ? runControls(
          call,
          accountTarget(call),
          controlsFor(call.eventName, accountControls, deps.config.policy),
        )
      : runControls(
          call,
          bucketTarget(call, call.resource),
          controlsFor(call.eventName, bucketControls, deps.config.policy),
        ),
  );
  const alertOnce = deps.once('alert', (alert: Alert) => deps.alerts.publish(alert));

  return async function handleS3Event(call: ApiCall): Promise<GuardResult> {
    const header = { eventId: call.eventId, eventName: call.eventName };
    const ignored = ignoreReason(call, handledEvents, deps.config.ownSessionArns, memberRoleName);
    if (ignored) return ignore(header, ignored);

    let scoped: Scoped;
    if (accountEvents.has(call.eventName)) {
      scoped = { ...call, scope: 'account', resource: accountResource(call.accountId) };
    } else {
      const bucket = bucketNameOf(call);
      if (!bucket) {
        deps.metrics.count('EventsRejected');
        const reason = `${call.eventName} event ${call.eventId} has no valid requestParameters.bucketName`;
        deps.log.error('Event rejected', { ...header, reason });
        return { ...header, status: 'REJECTED', reason, outcomes: [] };
      }
      if (BASELINE_ENDING_EVENT_NAMES.includes(call.eventName)) await endPolicyBaseline(call, bucket);
      if (isExemptBucket(bucket, deps.config.policy, call))
        return ignore(header, `bucket ${bucket} is exempt by policy`);
      if (call.eventName === 'DeleteBucket')
        return {
          ...header,
          status: 'PROCESSED',
          reason: `ended the policy baseline of ${bucket}`,
          outcomes: [],
        };
      scoped = { ...call, scope: 'bucket', resource: bucket };
    }

    const { outcomes, skippedReason } = await remediateOnce(scoped);
    if (skippedReason) return ignore(header, skippedReason);
    for (const outcome of outcomes) recordOutcome(outcome, header);

    const alert = alertFor(call, scoped, outcomes);
    // Published after the remediation is stored: if SNS fails, Lambda retries and only the alert is redone.
    const alertMessageId = alert ? await alertOnce(alert) : undefined;
    if (alertMessageId) deps.metrics.count('AlertsPublished');
    return { ...header, status: 'PROCESSED', outcomes, ...(alertMessageId ? { alertMessageId } : {}) };
  };

  function alertFor(call: ApiCall, scoped: Scoped, outcomes: readonly ControlOutcome[]): Alert | undefined {
    if (scoped.scope === 'bucket') return buildAlert(call, BUCKET_RESOURCE_TYPE, scoped.resource, outcomes);
    const alert = buildAlert(call, ACCOUNT_RESOURCE_TYPE, scoped.resource, outcomes);
    // The account's Block Public Access page, not the IAM page the generic links point to.
    return (
      alert && {
        ...alert,
        links: {
          ...alert.links,
          resource: `https://s3.console.aws.amazon.com/s3/settings?region=${call.region}`,
        },
      }
    );
  }

  function ignore(header: { eventId: string; eventName: string }, reason: string): GuardResult {
    deps.log.info('Event ignored', { ...header, reason });
    deps.metrics.count('EventsIgnored');
    return { ...header, status: 'IGNORED', reason, outcomes: [] };
  }

  function recordOutcome(outcome: ControlOutcome, header: { eventId: string; eventName: string }) {
    const line = {
      ...header,
      controlId: outcome.controlId,
      resource: outcome.resource,
      status: outcome.status,
      reason: outcome.reason,
      actions: outcome.actions,
    };
    const dimensions = { control: outcome.controlId };
    if (outcome.status === 'FAILED') {
      deps.log.error('Control outcome', line);
      deps.metrics.count('RemediationFailures', dimensions);
    } else {
      deps.log.info('Control outcome', line);
    }
    if (outcome.status !== 'ALREADY_COMPLIANT' && outcome.status !== 'SKIPPED')
      deps.metrics.count('Violations', dimensions);
    if (outcome.status === 'REMEDIATED') deps.metrics.count('Remediations', dimensions);
    if (outcome.status === 'DETECTED') deps.metrics.count('Detections', dimensions);
  }
}

function auditRecordsFor(
  call: ApiCall,
  resourceType: string,
  outcomes: readonly ControlOutcome[],
  now: Date,
): AuditRecord[] {
  return outcomes
    .filter((outcome) => outcome.status !== 'ALREADY_COMPLIANT' && outcome.status !== 'SKIPPED')
    .map((outcome) => ({
      actionId: `${call.eventId}:${outcome.controlId}`,
      eventId: call.eventId,
      eventName: call.eventName,
      time: now.toISOString(),
      actor: call.actor.principalArn ?? call.actor.type,
      accountId: call.accountId,
      region: call.region,
      resourceType,
      resource: outcome.resource,
      outcome,
    }));
}

/** Baselines belong to one bucket of one account in one region (bucket names are reused). */
export const baselineKeyOf = (call: Pick<ApiCall, 'accountId' | 'region'>, bucket: string) => ({
  accountId: call.accountId,
  region: call.region,
  bucket,
});

/** CloudTrail's `eventTime` in the ISO form Warden's own timestamps use, so the two compare as strings. */
function eventInstant(call: Pick<ApiCall, 'eventTime'>): string {
  const time = new Date(call.eventTime);
  return Number.isNaN(time.getTime()) ? call.eventTime : time.toISOString();
}
