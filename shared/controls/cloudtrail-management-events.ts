import { recordsManagementWrites } from '#shared/model/trail.ts';
import type { TrailControl } from './tamper-types.ts';

/**
 * A protected trail keeps recording management write events, the calls every guard reacts to. Event
 * selectors are restored from the last-known-good copy (CloudTrail's event carries only the new ones).
 * Also triggered by CreateTrail and StartLogging so the last-known-good copy exists before an attack.
 */
export const cloudtrailManagementEvents: TrailControl = {
  id: 'cloudtrail-management-events',
  title: 'Protected CloudTrail trails record management write events',
  severity: 'CRITICAL',
  compliance: ['Security Hub CloudTrail.1', 'CIS AWS Foundations 3.1', 'MITRE ATT&CK T1562.008'],
  triggers: ['PutEventSelectors', 'UpdateTrail', 'CreateTrail', 'StartLogging'],
  reads: ['selectors', 'baselineSelectors'],
  defaultMode: 'enforce',

  check(state) {
    if (!state.exists || !state.protected || !state.selectors) return undefined;
    if (recordsManagementWrites(state.selectors)) return undefined;
    return {
      controlId: 'cloudtrail-management-events',
      resource: state.arn,
      summary: `The event selectors of CloudTrail trail ${state.name} no longer record management write events: changes to buckets, keys, roles and Warden itself go unseen.`,
      observed: state.selectors,
    };
  },

  fix(_finding, state) {
    const baseline = state.baselineSelectors;
    if (!baseline || !recordsManagementWrites(baseline.selectors))
      return {
        blocked:
          'Warden has no last-known-good event selectors of this trail: add a management event selector ' +
          '(ReadWriteType All, IncludeManagementEvents true) by hand.',
      };
    return { actions: [{ type: 'PutEventSelectors', trail: state.name, selectors: baseline.selectors }] };
  },
};
