import { readFileSync } from 'node:fs';
import type { Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createWardenApp } from '../../../infra/warden-app.ts';
import { policyFileWith, throwawayBundles } from './synth-hub.ts';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')).context;

export const ORG = {
  organizationId: 'o-a1b2c3d4e5',
  managementAccountId: '111122223333',
  ous: ['ou-ab12-11111111', 'ou-ab12-22222222'],
  regions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
};

/** An organization-mode policy file (YAML), with extra `deployment` lines when given. */
export function organizationPolicy(extraDeployment = ''): string {
  return policyFileWith(`version: 1
deployment:
  mode: organization
  managementAccountId: "${ORG.managementAccountId}"
${extraDeployment}  organization:
    organizationId: ${ORG.organizationId}
    targetOrganizationalUnitIds: [${ORG.ous.join(', ')}]
    regions: [${ORG.regions.join(', ')}]
`);
}

/** Synthesizes the app in organization mode as `cdk synth` does (cdk-nag aspects, cdk.json flags), offline. */
export function synthOrganization(options: { policyFile?: string; env?: Environment } = {}) {
  const result = createWardenApp({
    policyFile: options.policyFile ?? organizationPolicy(),
    env: options.env ?? {},
    appProps: { context: CDK_CONTEXT },
    bundleDirs: throwawayBundles(),
  });
  const organization = result.organization;
  if (!organization) throw new Error('no organization stack');
  return {
    ...result,
    organization,
    hubTemplate: Template.fromStack(result.hub),
    orgTemplate: Template.fromStack(organization),
    spokeTemplate: Template.fromJSON(organization.spokeTemplate),
  };
}
