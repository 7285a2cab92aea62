import type { Template } from 'aws-cdk-lib/assertions';

/** The logical id of the one resource of `type` whose id starts with `prefix` (its construct path). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`Expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

export const arnOf = (template: Template, type: string, prefix: string) => ({
  'Fn::GetAtt': [logicalId(template, type, prefix), 'Arn'],
});
