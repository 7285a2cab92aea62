import type { ApiCall } from '#shared/events/normalise.ts';
import type { Clock, Log } from '#shared/observability/observability.ts';
import {
  type BucketExemption,
  type BucketExemptions,
  describeExemptControls,
  describeExemptionStatus,
  exemptionStatus,
  exemptionsOf,
} from '#shared/policy/exemptions.ts';
import type { Policy } from '#shared/policy/schema.ts';

export interface ExemptionDeps {
  readonly config: { readonly policy: Policy };
  readonly clock: Clock;
  readonly log: Pick<Log, 'info' | 'warn'>;
}

const fieldsOf = (exemption: BucketExemption, now: Date) => ({
  pattern: exemption.bucket,
  controls: describeExemptControls(exemption),
  reason: exemption.reason,
  ...(exemption.expires ? { expires: exemption.expires } : {}),
  status: describeExemptionStatus(exemptionStatus(exemption, now)),
});

/**
 * The bucket's exemptions at the clock's now, and a log line for each one that matters: an exemption used
 * that expires within the week is a warning (someone must renew or end it), an expired one is information
 * (Warden guards the bucket again), and any used says why, so the logs show every control Warden skipped.
 */
export function judgeExemptions(deps: ExemptionDeps, call: ApiCall, bucket: string): BucketExemptions {
  const now = deps.clock.now();
  const exemptions = exemptionsOf(bucket, deps.config.policy, call, now);
  const base = { eventId: call.eventId, eventName: call.eventName, bucket };
  for (const exemption of exemptions.applying) {
    const fields = { ...base, ...fieldsOf(exemption, now) };
    if (exemptionStatus(exemption, now).kind === 'expiring')
      deps.log.warn('Exemption used expires soon: renew it (a new expires) or remove it', fields);
    else deps.log.info('Exemption applies', fields);
  }
  for (const exemption of exemptions.expired)
    deps.log.info('Exemption expired: Warden guards the bucket again', {
      ...base,
      ...fieldsOf(exemption, now),
    });
  return exemptions;
}
