import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { clientConfig } from '#shared/aws/clients.ts';
import {
  forwardingRuleName,
  resourceNames,
  TAMPER_EVENT_KINDS,
  type TamperEventKind,
  tamperRuleName,
} from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { checkRules, type ExpectedRule, expectedRules } from '../../cli/doctor/rules.ts';
import { localCredentials } from '../../cli/local/credentials.ts';
import { resolveDeploymentRegions } from '../../infra/config/deployment-regions.ts';
import { makePolicy } from '../fixtures.ts';
import { localConfig } from '../support/local-env.ts';

/*
 * `warden doctor`'s rule check against moto's EventBridge in two regions: the hub's rules found by
 * their guard targets in the home region, the forwarding rules by name in us-east-1. A prefix of
 * its own keeps these rules apart from other tests' rules in the shared emulator.
 */
const names = resourceNames('doctorit');
const eventsIn = (region: string) =>
  new EventBridgeClient(
    clientConfig({ endpoint: localConfig().endpoint, region, credentials: localCredentials() }),
  );
const deps = { eventsIn };

function planned() {
  // Account-level forwarders only where S3 is watched: the hub and us-east-1 are the stacks under test.
  const policy = makePolicy({ deployment: { homeRegion: 'eu-west-1', accountLevelRegions: [] } });
  const regions = resolveDeploymentRegions({ policy });
  const [hub, forwarder] = expectedRules(regions, names, {
    partition: 'aws',
    accountId: localConfig().accountId,
  });
  if (!hub || !forwarder) throw new Error('expected a hub and a us-east-1 forwarder');
  return { hub, forwarder };
}

/** A rule as the stack deploys it: the pattern's event names, and the target when it has one. */
async function putRule(
  region: string,
  name: string,
  eventName: readonly string[],
  target?: string,
  state = 'ENABLED',
) {
  const events = eventsIn(region);
  await events.send(
    new PutRuleCommand({
      Name: name,
      EventPattern: JSON.stringify({ source: ['aws.test'], detail: { eventName } }),
      State: state as 'ENABLED' | 'DISABLED',
    }),
  );
  if (target)
    await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'guard', Arn: target }] }));
}

/** tamper-guard's four rules in a region, by the names the stack gives them there. */
async function putTamperRules(region: string, nameOf: (kind: TamperEventKind) => string) {
  for (const kind of TAMPER_EVENT_KINDS) await putRule(region, nameOf(kind), ['DisableRule']);
}

const targetOf = (rule: ExpectedRule | undefined) => (rule?.kind === 'targeted' ? rule.targetArn : '');

describe('warden doctor rule check against moto', () => {
  it('finds the hub rules by their guard targets in the home region', async () => {
    const { hub } = planned();
    const [s3, key, signIn, credentials] = hub.rules;

    expect((await checkRules(deps, hub)).status).toBe('FAIL');

    await putRule('eu-west-1', 'doctorit-hub-S3GuardEvents', S3_GUARD_EVENT_NAMES, targetOf(s3));
    await putRule(
      'eu-west-1',
      'doctorit-hub-RootKey',
      ROOT_GUARD_EVENT_PATTERNS.rootAccessKeyCreated.detail.eventName,
      targetOf(key),
    );
    await putRule(
      'eu-west-1',
      'doctorit-hub-RootCredentials',
      ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged.detail.eventName,
      targetOf(credentials),
    );
    // tamper-guard's rules have fixed names.
    await putTamperRules('eu-west-1', (kind) => tamperRuleName(names, kind));
    // A rule with the right pattern but no target delivers nothing to root-guard.
    await putRule(
      'eu-west-1',
      'doctorit-hub-RootSignIn',
      ROOT_GUARD_EVENT_PATTERNS.rootConsoleSignIn.detail.eventName,
    );

    expect(await checkRules(deps, hub)).toMatchObject({
      status: 'FAIL',
      detail:
        'hub: missing rootConsoleSignIn rule targeting doctorit-root-guard: those events are not delivered',
    });

    await eventsIn('eu-west-1').send(
      new PutTargetsCommand({
        Rule: 'doctorit-hub-RootSignIn',
        Targets: [{ Id: 'guard', Arn: targetOf(signIn) }],
      }),
    );

    expect(await checkRules(deps, hub)).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining(`${4 + TAMPER_EVENT_KINDS.length} rule(s)`),
    });
  });

  it('checks the forwarding rules of root events by name in us-east-1', async () => {
    const { forwarder } = planned();
    expect(forwarder.region).toBe('us-east-1');

    await putTamperRules('us-east-1', (kind) => forwardingRuleName(names, kind));
    await putRule('us-east-1', 'doctorit-forward-root-access-key-created', ['CreateAccessKey']);
    await putRule(
      'us-east-1',
      'doctorit-forward-root-credential-changed',
      ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged.detail.eventName,
    );

    expect(await checkRules(deps, forwarder)).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('missing doctorit-forward-root-console-sign-in'),
    });

    await putRule(
      'us-east-1',
      'doctorit-forward-root-console-sign-in',
      ['ConsoleLogin'],
      undefined,
      'DISABLED',
    );

    expect(await checkRules(deps, forwarder)).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('not enabled: doctorit-forward-root-console-sign-in'),
    });
  });
});
