import type { TrailControl } from './tamper-types.ts';

/**
 * A deleted trail cannot be brought back (its configuration is gone with it): Warden says what it can
 * no longer see and what to do. Detect only (tamper-guard caps an `enforce` setting to detect).
 */
export const cloudtrailTrailDeleted: TrailControl = {
  id: 'cloudtrail-trail-deleted',
  title: 'Deleting a protected CloudTrail trail is reported (detect only: it cannot be undone)',
  severity: 'CRITICAL',
  compliance: ['Security Hub CloudTrail.1', 'CIS AWS Foundations 3.1', 'MITRE ATT&CK T1562.008'],
  triggers: ['DeleteTrail'],
  reads: ['others'],
  defaultMode: 'detect',

  check(state) {
    if (state.exists || !state.protected) return undefined;
    const others = state.otherLoggingTrails ?? [];
    const blind =
      others.length > 0
        ? `Trail(s) ${others.join(', ')} still log management events, so Warden still sees what they cover; whatever only ${state.name} recorded (its regions, its event selectors) is no longer seen.`
        : 'No other trail of this account logs management events: AWS now emits no API-call events, so Warden sees no change to buckets, keys, root credentials or its own rules until a trail logs again.';
    return {
      controlId: 'cloudtrail-trail-deleted',
      resource: state.arn,
      summary:
        `CloudTrail trail ${state.name} was deleted. ${blind} Create a multi-region trail again ` +
        '(deployment.createTrail: true and `npx cdk deploy`, or `aws cloudtrail create-trail` then `start-logging`); ' +
        '`npx warden doctor` fails until one logs.',
      observed: { exists: false, otherLoggingTrails: others },
    };
  },

  fix() {
    return { blocked: 'A deleted trail cannot be restored by Warden.' };
  },
};
