import {
  DescribeRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { callAws, classifyError } from '#shared/errors/errors.ts';
import type { RuleAction } from '#shared/model/event-rule.ts';

export interface RuleStateDeps {
  readonly events: Pick<EventBridgeClient, 'send'>;
}

export interface RuleReading {
  readonly exists: boolean;
  readonly arn?: string;
  readonly state?: string;
  readonly eventPattern?: string;
  readonly targetArns?: readonly string[];
}

const isNotFound = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ResourceNotFoundException';

/** A rule on the default bus: its state, pattern and targets; a deleted rule is a state, not an error. */
export async function readRule(deps: RuleStateDeps, name: string): Promise<RuleReading> {
  try {
    const rule = await deps.events.send(new DescribeRuleCommand({ Name: name }));
    const targetArns: string[] = [];
    let token: string | undefined;
    do {
      const page = await deps.events.send(
        new ListTargetsByRuleCommand({ Rule: name, ...(token ? { NextToken: token } : {}) }),
      );
      for (const target of page.Targets ?? []) if (target.Arn) targetArns.push(target.Arn);
      token = page.NextToken;
    } while (token);
    return {
      exists: true,
      ...(rule.Arn ? { arn: rule.Arn } : {}),
      ...(rule.State ? { state: rule.State } : {}),
      ...(rule.EventPattern ? { eventPattern: rule.EventPattern } : {}),
      targetArns,
    };
  } catch (error) {
    if (isNotFound(error)) return { exists: false };
    throw classifyError(error, `reading EventBridge rule ${name}`);
  }
}

export async function applyRuleAction(deps: RuleStateDeps, action: RuleAction): Promise<void> {
  await callAws(`enabling EventBridge rule ${action.rule}`, () =>
    deps.events.send(new EnableRuleCommand({ Name: action.rule })),
  );
}
