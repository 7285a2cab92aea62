import { type Alert, buildAlert } from '#shared/alerts/alert.ts';
import type { AlertPublisher } from '#shared/alerts/publish-alert.ts';
import type { AuditLog, AuditRecord } from '#shared/audit/audit-log.ts';
import type { GuardConfig } from '#shared/config/load-config.ts';
import { BUCKET_CONTROLS, S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import type { BucketControl, EvaluationContext } from '#shared/controls/types.ts';
import { ResourceGoneError, WardenError } from '#shared/errors/errors.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { Clock, Log, MetricsRecorder } from '#shared/observability/observability.ts';
import {
  applyBucketAction,
  type BucketAction,
  type BucketActionDeps,
  describeAction,
} from '#shared/s3/bucket-actions.ts';
import { type BucketState, type BucketStateDeps, readBucketState } from '#shared/s3/bucket-state.ts';
import { controlsFor, type Evaluation, evaluateBucket, statePartsFor } from './evaluate.ts';
import { bucketNameOf, ignoreReason, isExemptBucket } from './ignore.ts';
import type { ControlOutcome, GuardResult } from './outcome.ts';

export interface S3GuardDeps extends BucketStateDeps, BucketActionDeps {
  readonly config: Pick<GuardConfig, 'kmsKeyArn' | 'ownRoleArns' | 'policy'>;
  readonly alerts: AlertPublisher;
  readonly audit: AuditLog;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  readonly clock: Clock;
  readonly once: OnceWrapper;
  readonly controls?: readonly BucketControl[];
}

const RESOURCE_TYPE = 'AWS::S3::Bucket';

/** The remediation of one event, stored per event id so a redelivery or retry never repairs twice. */
interface Remediation {
  readonly outcomes: readonly ControlOutcome[];
  readonly skippedReason?: string;
}

function outcomeBase(
  control: BucketControl,
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

/** The configuration a control judged, as shown before/after in alerts and the audit trail. */
function viewOf(state: BucketState, control: BucketControl): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const part of control.reads) {
    if (part !== 'wardenKey' && state[part] !== undefined) view[part] = state[part];
  }
  return view;
}

function plannedActions(evaluation: Evaluation): readonly BucketAction[] {
  return evaluation.plan && 'actions' in evaluation.plan ? evaluation.plan.actions : [];
}

export function createS3Guard(deps: S3GuardDeps) {
  const controls = deps.controls ?? BUCKET_CONTROLS;
  const handledEvents = deps.controls
    ? [...new Set(controls.flatMap((c) => c.triggers))]
    : S3_GUARD_EVENT_NAMES;

  async function remediate(call: ApiCall & { bucket: string }): Promise<Remediation> {
    const active = controlsFor(call.eventName, controls, deps.config.policy);
    const context: EvaluationContext = {
      policy: deps.config.policy,
      wardenKmsKeyArn: deps.config.kmsKeyArn,
      accountId: call.accountId,
    };
    let state: BucketState;
    try {
      state = await readBucketState(deps, call.bucket, call.accountId, statePartsFor(active));
    } catch (error) {
      if (error instanceof ResourceGoneError) return { outcomes: [], skippedReason: error.message };
      if (error instanceof WardenError && !error.retryable) {
        // E.g. AccessDenied from an SCP: retrying cannot help, people must know the bucket is unchecked.
        const reason = `Warden could not read the bucket, so it could not check it: ${error.message}`;
        const outcomes = active.map(
          (control): ControlOutcome => ({
            ...outcomeBase(control, call.bucket),
            status: 'FAILED',
            reason,
            actions: [],
          }),
        );
        await deps.audit.record(auditRecordsFor(call, outcomes, deps.clock.now()));
        return { outcomes };
      }
      throw error;
    }
    const evaluations = evaluateBucket(state, active, context);

    // Act: every enforce-mode fix in parallel; failures are per control, retryable ones rethrown after.
    const toApply = evaluations.filter(
      (e) => e.finding && e.mode === 'enforce' && plannedActions(e).length > 0,
    );
    const applied = await Promise.allSettled(
      toApply.map((e) =>
        Promise.all(plannedActions(e).map((action) => applyBucketAction(deps, action, call.accountId))),
      ),
    );
    const retryable = applied.find(
      (result): result is PromiseRejectedResult =>
        result.status === 'rejected' && result.reason instanceof WardenError && result.reason.retryable,
    );
    if (retryable) throw retryable.reason;
    const gone = applied.find(
      (result) => result.status === 'rejected' && result.reason instanceof ResourceGoneError,
    );
    if (gone)
      return { outcomes: [], skippedReason: `Bucket ${call.bucket} was deleted while Warden repaired it` };
    const failures = new Map<BucketControl, string>();
    applied.forEach((result, index) => {
      const evaluation = toApply[index];
      if (result.status === 'rejected' && evaluation)
        failures.set(evaluation.control, errorMessage(result.reason));
    });

    // Verify: read back what was written and judge it again.
    const fixed = toApply.filter((e) => !failures.has(e.control));
    let after = state;
    if (fixed.length > 0) {
      try {
        after = await readBucketState(
          deps,
          call.bucket,
          call.accountId,
          statePartsFor(fixed.map((e) => e.control)),
        );
      } catch (error) {
        if (error instanceof ResourceGoneError) return { outcomes: [], skippedReason: error.message };
        throw error;
      }
    }

    const outcomes = evaluations.map((evaluation): ControlOutcome => {
      const { finding, plan, control } = evaluation;
      if (!finding)
        return {
          ...outcomeBase(control, call.bucket),
          status: 'ALREADY_COMPLIANT',
          reason: 'Compliant.',
          actions: [],
        };
      const base = { ...outcomeBase(control, call.bucket), before: viewOf(state, control) };
      const actions = plannedActions(evaluation).map(describeAction);
      if (evaluation.mode === 'detect') {
        return {
          ...base,
          status: 'DETECTED',
          reason: `${finding.summary} (detect mode: not changed)`,
          actions,
        };
      }
      if (plan && 'blocked' in plan)
        return { ...base, status: 'FAILED', reason: `${finding.summary} ${plan.blocked}`, actions: [] };
      const failure = failures.get(control);
      if (failure)
        return {
          ...base,
          status: 'FAILED',
          reason: `${finding.summary} The fix failed: ${failure}`,
          actions,
        };
      const stillFailing = control.check(after, context);
      if (stillFailing) {
        return {
          ...base,
          status: 'FAILED',
          reason: `${finding.summary} Read-back after the fix: ${stillFailing.summary}`,
          actions,
          after: viewOf(after, control),
        };
      }
      return {
        ...base,
        status: 'REMEDIATED',
        reason: finding.summary,
        actions,
        after: viewOf(after, control),
      };
    });

    await deps.audit.record(auditRecordsFor(call, outcomes, deps.clock.now()));
    return { outcomes };
  }

  const remediateOnce = deps.once('remediate', remediate);
  const alertOnce = deps.once('alert', (alert: Alert) => deps.alerts.publish(alert));

  return async function handleS3Event(call: ApiCall): Promise<GuardResult> {
    const header = { eventId: call.eventId, eventName: call.eventName };
    const ignored = ignoreReason(call, handledEvents, deps.config.ownRoleArns);
    if (ignored) return ignore(header, ignored);
    const bucket = bucketNameOf(call);
    if (!bucket) {
      deps.metrics.count('EventsRejected');
      const reason = `${call.eventName} event ${call.eventId} has no valid requestParameters.bucketName`;
      deps.log.error('Event rejected', { ...header, reason });
      return { ...header, status: 'REJECTED', reason, outcomes: [] };
    }
    if (isExemptBucket(bucket, deps.config.policy))
      return ignore(header, `bucket ${bucket} is exempt by policy`);

    const { outcomes, skippedReason } = await remediateOnce({ ...call, bucket });
    if (skippedReason) return ignore(header, skippedReason);
    for (const outcome of outcomes) recordOutcome(outcome, header);

    const alert = buildAlert(call, RESOURCE_TYPE, bucket, outcomes);
    // Published after the remediation is stored: if SNS fails, Lambda retries and only the alert is redone.
    const alertMessageId = alert ? await alertOnce(alert) : undefined;
    if (alertMessageId) deps.metrics.count('AlertsPublished');
    return { ...header, status: 'PROCESSED', outcomes, ...(alertMessageId ? { alertMessageId } : {}) };
  };

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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function auditRecordsFor(call: ApiCall, outcomes: readonly ControlOutcome[], now: Date): AuditRecord[] {
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
      resourceType: RESOURCE_TYPE,
      resource: outcome.resource,
      outcome,
    }));
}
