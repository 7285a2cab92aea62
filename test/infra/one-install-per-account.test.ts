import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ONE_INSTALL_PER_ACCOUNT, resourceNames } from '#shared/config/names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { HubStack } from '../../infra/stacks/hub-stack.ts';
import { synthOrganization } from './support/org-synth.ts';
import { policyFileWith, synthApp, throwawayBundles } from './support/synth-hub.ts';

/*
 * Two Warden installs in one account re-encrypt each other's buckets forever: each approves only
 * its own key and ignores only its own sessions. Warden refuses the second one, at synth when one
 * app defines both, at deploy otherwise.
 */
const policy = loadPolicyFile(policyFileWith('version: 1\n'));
const bundleDirs = throwawayBundles();
const hubIn = (app: App, id: string, account: string | undefined, region: string, prefix = 'warden') =>
  new HubStack(app, id, { env: { account, region }, policy, names: resourceNames(prefix), bundleDirs });
const groupsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Group')) as {
    Properties: Record<string, unknown>;
    Condition?: string;
  }[];

describe('at deploy: an account-wide name every install claims', () => {
  it('is in the hub, with a fixed name', () => {
    const { template } = synthApp();

    expect(groupsOf(template).map((group) => group.Properties)).toEqual([
      { GroupName: ONE_INSTALL_PER_ACCOUNT, Path: '/warden/' },
    ]);
    expect(ONE_INSTALL_PER_ACCOUNT).toBe('warden-one-install-per-account');
  });

  it('does not follow the resource prefix: an install under another prefix claims the same name', () => {
    const hub = hubIn(new App(), 'OtherHub', '111111111111', 'eu-west-1', 'other');

    expect(groupsOf(Template.fromStack(hub)).map((group) => group.Properties.GroupName)).toEqual([
      ONE_INSTALL_PER_ACCOUNT,
    ]);
  });

  it('is claimed once per account: not by the forwarders of other regions', () => {
    const { forwarderTemplates } = synthApp({ context: { homeRegion: 'eu-west-1' } });

    for (const template of Object.values(forwarderTemplates)) expect(groupsOf(template)).toEqual([]);
  });

  it("is claimed in each member account by the organization's spoke, once (with the role), not in the hub's account", () => {
    const { spokeTemplate } = synthOrganization();

    const [group, ...others] = groupsOf(spokeTemplate);
    expect(others).toEqual([]);
    expect(group?.Properties.GroupName).toBe(ONE_INSTALL_PER_ACCOUNT);
    const condition = JSON.stringify(spokeTemplate.toJSON().Conditions[group?.Condition as string]);
    expect(condition).toContain('{"Condition":"CreatesMemberRole"}');
    expect(condition).toContain('{"Ref":"HubAccountId"}');
  });
});

describe('at synth: one hub per account in an app', () => {
  it('refuses a second hub for the same account, naming both and why', () => {
    const app = new App();
    hubIn(app, 'HubA', '111111111111', 'eu-west-1');

    expect(() => hubIn(app, 'HubB', '111111111111', 'us-east-1', 'second')).toThrow(ConfigError);
    expect(() => hubIn(app, 'HubC', '111111111111', 'us-east-1', 'third')).toThrow(
      /one hub per account: HubC \(us-east-1\) and HubA \(eu-west-1\)[\s\S]*re-encrypt each other's buckets/,
    );
  });

  it('refuses a second hub whose account is only known at deploy', () => {
    const app = new App();
    hubIn(app, 'HubA', undefined, 'eu-west-1');

    expect(() => hubIn(app, 'HubB', undefined, 'eu-central-1', 'second')).toThrow(ConfigError);
  });

  it('allows hubs of two different, named accounts', () => {
    const app = new App();
    hubIn(app, 'HubA', '111111111111', 'eu-west-1');

    expect(() => hubIn(app, 'HubB', '222222222222', 'eu-west-1')).not.toThrow();
  });
});
