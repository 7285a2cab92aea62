import type { RuleControl } from './tamper-types.ts';

/**
 * Warden's own EventBridge rules keep the pattern and targets its stacks deploy. Deleted rules, removed
 * targets and rewritten patterns (outside a CloudFormation deployment) can only be restored by deploying
 * again: detect only (tamper-guard caps an `enforce` setting to detect), naming the step.
 */
export const wardenRuleIntact: RuleControl = {
  id: 'warden-rule-intact',
  title: "Warden's own EventBridge rules are not deleted, emptied or rewritten (detect only)",
  severity: 'CRITICAL',
  compliance: ['MITRE ATT&CK T1562.001'],
  triggers: ['DeleteRule', 'RemoveTargets', 'PutRule'],
  reads: ['rule'],
  defaultMode: 'detect',

  check(state) {
    const what = !state.exists
      ? 'was deleted'
      : state.change === 'RemoveTargets' || state.targetArns?.length === 0
        ? `lost target(s)${state.targetArns?.length === 0 ? ' and now delivers to nothing' : ''}`
        : state.change === 'PutRule'
          ? 'was rewritten (PutRule) outside a CloudFormation deployment: its pattern may no longer match what Warden needs'
          : undefined;
    if (!what) return undefined;
    return {
      controlId: 'warden-rule-intact',
      resource: state.arn,
      summary: `Warden's EventBridge rule ${state.name} ${what}. ${state.restoreStep}`,
      observed: { exists: state.exists, targets: state.targetArns, eventPattern: state.eventPattern },
    };
  },

  fix(_finding, state) {
    return { blocked: `Only a deployment restores the rule as Warden deploys it. ${state.restoreStep}` };
  },
};
