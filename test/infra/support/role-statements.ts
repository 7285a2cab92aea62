import type { Template } from 'aws-cdk-lib/assertions';
import { logicalId } from './logical-id.ts';
import { resolvePseudo } from './resolve-template.ts';

/** One IAM policy statement as synthesized (pseudo parameters resolved by `statementsOfRole`). */
export type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
};

/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): Statement[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => resolvePseudo(policy.Properties.PolicyDocument.Statement) as Statement[]);
}

/** Every statement of every IAM policy of the template, pseudo parameters resolved. */
export const allStatementsOf = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => resolvePseudo(policy.Properties.PolicyDocument.Statement) as Statement[],
  );
