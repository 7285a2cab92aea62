import type { Stack } from 'aws-cdk-lib';
import { functionSessionArns, type ResourceNames } from '#shared/config/names.ts';

/**
 * The sessions of every Warden function in the stack's account, as CloudTrail records their calls
 * (`userIdentity.arn` = `arn:<partition>:sts::<account>:assumed-role/<role>/<function>`): the only
 * callers whose events Warden ignores as its own. Built from the fixed role and function names, not
 * from resources, so the list also covers functions of other stacks and never makes a function
 * depend on its own attributes.
 */
export function ownSessionArns(stack: Stack, names: ResourceNames): string[] {
  return functionSessionArns(names, { partition: stack.partition, accountId: stack.account });
}
