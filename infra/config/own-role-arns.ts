import type { Stack } from 'aws-cdk-lib';
import { FUNCTION_NAMES, type ResourceNames } from '#shared/config/names.ts';

/**
 * ARNs of every Warden function role in the stack's account, built from the fixed role names
 * rather than from role resources, so the list also covers functions deployed by other stacks
 * and never makes a function depend on its own role's attributes.
 */
export function ownRoleArns(stack: Stack, names: ResourceNames): string[] {
  return FUNCTION_NAMES.map((name) =>
    stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: names.functionRole(name) }),
  );
}
