import type { TrailControl } from './tamper-types.ts';

/**
 * A protected trail keeps logging: without it AWS emits no API-call events and every guard goes blind
 * (MITRE ATT&CK T1562.008). CloudTrail records StopLogging itself before logging stops, so Warden hears it.
 */
export const cloudtrailLogging: TrailControl = {
  id: 'cloudtrail-logging',
  title: 'Protected CloudTrail trails keep logging',
  severity: 'CRITICAL',
  compliance: ['Security Hub CloudTrail.1', 'CIS AWS Foundations 3.1', 'MITRE ATT&CK T1562.008'],
  triggers: ['StopLogging'],
  reads: ['status'],
  defaultMode: 'enforce',

  check(state) {
    if (!state.exists || !state.protected || state.isLogging !== false) return undefined;
    return {
      controlId: 'cloudtrail-logging',
      resource: state.arn,
      summary: `CloudTrail trail ${state.name} stopped logging: AWS API calls it recorded no longer reach Warden or anyone else.`,
      observed: { isLogging: false },
    };
  },

  fix(_finding, state) {
    return { actions: [{ type: 'StartLogging', trail: state.name }] };
  },
};
