import type { RuleControl } from './tamper-types.ts';

/** Warden's own EventBridge rules stay enabled: a disabled rule delivers nothing, silently. */
export const wardenRuleEnabled: RuleControl = {
  id: 'warden-rule-enabled',
  title: "Warden's own EventBridge rules stay enabled",
  severity: 'CRITICAL',
  compliance: ['MITRE ATT&CK T1562.001'],
  triggers: ['DisableRule', 'PutRule'],
  reads: ['rule'],
  defaultMode: 'enforce',

  check(state) {
    if (!state.exists || state.state === undefined || state.state.startsWith('ENABLED')) return undefined;
    return {
      controlId: 'warden-rule-enabled',
      resource: state.arn,
      summary: `Warden's EventBridge rule ${state.name} is ${state.state}: the events it carries no longer reach Warden.`,
      observed: { state: state.state },
    };
  },

  fix(_finding, state) {
    return { actions: [{ type: 'EnableRule', rule: state.name }] };
  },
};
