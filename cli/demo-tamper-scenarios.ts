import { GetTrailStatusCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRuleCommand, DisableRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { resourceNames, tamperRuleName } from '#shared/config/names.ts';
import type { Scenario, ScenarioContext } from './demo-scenarios.ts';
import { loadSampleEvent, type SampleEvent } from './local/sample-events.ts';
import { localTrailName } from './local/tamper-setup.ts';

/** A tamper sample as if made now in the emulator's account, naming these resources. */
function tamperEvent(
  file: string,
  { config }: ScenarioContext,
  requestParameters: Record<string, unknown>,
): SampleEvent {
  const event = loadSampleEvent(file);
  event.account = config.accountId;
  event.id = crypto.randomUUID();
  event.detail.eventID = crypto.randomUUID();
  event.detail.recipientAccountId = config.accountId;
  event.detail.requestParameters = requestParameters;
  return event;
}

const keyIdOf = (arn: string) => arn.replace(/^.*:key\//, '');

async function keyState({ clients, config }: ScenarioContext): Promise<string | undefined> {
  const { KeyMetadata } = await clients.kms.send(
    new DescribeKeyCommand({ KeyId: keyIdOf(config.kmsKeyArn) }),
  );
  return KeyMetadata?.KeyState;
}

/** The stories of tamper-guard: what an attacker does first so that Warden cannot see or repair. */
export function tamperScenarios(): Scenario[] {
  const prefix = 'warden';
  const trail = localTrailName(prefix);
  const rule = tamperRuleName(resourceNames(prefix), 'tamperKms');
  // The audit trail files key and trail records under their ARNs, known once the scenario runs.
  let keyArn = 'KMS key';
  let trailArn = 'trail';
  let ruleArn = 'rule';

  return [
    {
      title: "Warden's bucket key scheduled for deletion",
      story:
        'Every bucket Warden repaired encrypts new objects with its key. Deleting the key (7 days after ScheduleKeyDeletion) makes them unreadable for good. tamper-guard cancels the deletion, enables the key again (a cancelled key stays disabled) and alerts CRITICAL, naming the alias, the buckets that use the key and who did it.',
      get resource() {
        return keyArn;
      },
      guard: 'tamper-guard',
      event: (context) => {
        keyArn = context.config.kmsKeyArn;
        return tamperEvent('kms/schedule-key-deletion.json', context, {
          keyId: keyIdOf(keyArn),
          pendingWindowInDays: 7,
        });
      },
      prepare: async ({ clients, config }) => {
        await clients.kms.send(
          new ScheduleKeyDeletionCommand({ KeyId: keyIdOf(config.kmsKeyArn), PendingWindowInDays: 7 }),
        );
      },
      describe: async (context) => [
        `key ${context.config.kmsKeyAlias}  ${(await keyState(context)) ?? 'unknown'}`,
      ],
      expected: 'PROCESSED',
      check: async (context, { alerts }) => {
        const state = await keyState(context);
        if (state !== 'Enabled') return `the key is ${state}, not Enabled`;
        const alert = alerts[0];
        if (alerts.length !== 1 || !alert) return `expected one alert, got ${alerts.length}`;
        return alert.notification.content.title.startsWith('CRITICAL') &&
          JSON.stringify(alert.notification).includes(context.config.kmsKeyAlias)
          ? undefined
          : 'the alert is not CRITICAL or does not name the alias';
      },
    },
    {
      title: 'The trail stopped logging',
      story:
        'Attackers stop the trail first (MITRE ATT&CK T1562.008): without it AWS emits no events and every guard is blind. CloudTrail records StopLogging before logging stops, so Warden hears it and starts the trail again. A deleted trail cannot be brought back: Warden then alerts CRITICAL and `warden doctor` fails until a trail logs.',
      get resource() {
        return trailArn;
      },
      guard: 'tamper-guard',
      event: (context) => {
        trailArn = `arn:aws:cloudtrail:${context.config.region}:${context.config.accountId}:trail/${trail}`;
        return tamperEvent('cloudtrail/stop-logging.json', context, { name: trailArn });
      },
      prepare: async ({ clients }) => {
        await clients.cloudTrail.send(new StopLoggingCommand({ Name: trail }));
      },
      describe: async ({ clients }) => {
        const { IsLogging } = await clients.cloudTrail.send(new GetTrailStatusCommand({ Name: trail }));
        return [`trail ${trail}  ${IsLogging ? 'logging' : 'NOT logging'}`];
      },
      expected: 'PROCESSED',
      check: async ({ clients }) => {
        const { IsLogging } = await clients.cloudTrail.send(new GetTrailStatusCommand({ Name: trail }));
        return IsLogging ? undefined : 'the trail is still stopped';
      },
    },
    {
      title: "One of Warden's own rules disabled",
      story:
        "A disabled rule delivers nothing, silently. tamper-guard's two rules on Warden's rules each carry the other's changes, so even disabling the rule that watches rules is seen: Warden enables the rule again. A deleted rule or removed target can only be restored by deploying: the alert names the `cdk deploy` (or StackSet) step.",
      get resource() {
        return ruleArn;
      },
      guard: 'tamper-guard',
      event: (context) => {
        ruleArn = `arn:aws:events:${context.config.region}:${context.config.accountId}:rule/${rule}`;
        return tamperEvent('events/disable-rule.json', context, { name: rule });
      },
      prepare: async ({ clients }) => {
        await clients.events.send(new DisableRuleCommand({ Name: rule }));
      },
      describe: async ({ clients }) => [
        `rule ${rule}  ${(await clients.events.send(new DescribeRuleCommand({ Name: rule }))).State}`,
      ],
      expected: 'PROCESSED',
      check: async ({ clients }) => {
        const { State } = await clients.events.send(new DescribeRuleCommand({ Name: rule }));
        return State === 'ENABLED' ? undefined : `the rule is ${State}`;
      },
    },
  ];
}
