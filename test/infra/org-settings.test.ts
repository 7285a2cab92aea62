import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { organizationSettings } from '../../infra/stacks/organization-stack.ts';
import { makePolicy, ORGANIZATION_DEPLOYMENT } from '../fixtures.ts';

const organization = (regions: string[]) =>
  makePolicy({
    deployment: {
      ...ORGANIZATION_DEPLOYMENT,
      organization: { ...ORGANIZATION_DEPLOYMENT.organization, regions },
    },
  });

describe('organization settings checked before synth', () => {
  it('accepts spoke regions that include us-east-1', () => {
    expect(organizationSettings(organization(['eu-west-1', 'us-east-1'])).regions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
  });

  it("refuses spoke regions without us-east-1, where member accounts' IAM and sign-in events are", () => {
    expect(() => organizationSettings(organization(['eu-west-1']))).toThrow(ConfigError);
    expect(() => organizationSettings(organization(['eu-west-1']))).toThrow(/must include us-east-1/);
  });

  it('names every missing field at once', () => {
    const policy = makePolicy({ deployment: { mode: 'organization' } });

    expect(() => organizationSettings(policy)).toThrow(
      /organizationId[\s\S]*managementAccountId[\s\S]*targetOrganizationalUnitIds[\s\S]*regions/,
    );
  });
});
