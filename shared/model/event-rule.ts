import { type ActionTense, verb } from './action-tense.ts';

/** The SDK-free model of one of Warden's own EventBridge rules as tamper-guard judges it. */

export type RuleStatePart = 'rule';

/** What the event did to the rule (the change a control judges besides the live state). */
export type RuleChange = 'DisableRule' | 'DeleteRule' | 'RemoveTargets' | 'PutRule';

export interface RuleState {
  readonly name: string;
  readonly arn: string;
  readonly exists: boolean;
  /** `ENABLED`, `DISABLED`, `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`. */
  readonly state?: string;
  readonly eventPattern?: string;
  readonly targetArns?: readonly string[];
  readonly change: RuleChange;
  /** The deployment step that puts the rule back as Warden deploys it. */
  readonly restoreStep: string;
}

export type RuleAction = { readonly type: 'EnableRule'; readonly rule: string };

export const describeRuleAction = (action: RuleAction, tense: ActionTense = 'done'): string =>
  `${verb(tense, 'Enabled', 'enable')} EventBridge rule ${action.rule} again (EnableRule)`;

/** Warden's rules all carry its prefix: the hub's (`<prefix>-hub-...`, named by CloudFormation after the stack), the forwarders', the spokes' and tamper-guard's. */
export const isWardenRule = (name: string, prefix: string): boolean => name.startsWith(`${prefix}-`);

/** The names the stacks give Warden's rules, by deployment (see infra/config/forwarding.ts, infra/stacks/*). */
export interface RuleDeployment {
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
}

/** Which deployment step restores a rule Warden deployed, judged by its name. */
export function restoreStepFor(name: string, deployment: RuleDeployment): string {
  const { prefix, accountId, region } = deployment;
  if (name.startsWith(`${prefix}-spoke-`))
    return (
      `The organization StackSet deployed it: re-deploy the spoke of account ${accountId} in ${region} ` +
      `(aws cloudformation update-stack-instances --stack-set-name ${prefix}-spokes --regions ${region} ` +
      `--deployment-targets OrganizationalUnitIds=<its OU>,Accounts=${accountId},AccountFilterType=INTERSECTION), ` +
      'from the hub account.'
    );
  if (name.startsWith(`${prefix}-forward-`))
    return `The forwarder stack of ${region} deployed it: run \`npx cdk deploy WardenForwarder-${region}\` from the Warden repository with the same policy file.`;
  return 'The hub stack deployed it: run `npx cdk deploy WardenHub` from the Warden repository with the same policy file.';
}

export function ruleView(state: RuleState): Record<string, unknown> {
  if (!state.exists) return { exists: false };
  return {
    exists: true,
    state: state.state,
    ...(state.targetArns ? { targets: state.targetArns } : {}),
    ...(state.eventPattern ? { eventPattern: state.eventPattern } : {}),
  };
}

export const RULE_RESOURCE_TYPE = 'AWS::Events::Rule';
