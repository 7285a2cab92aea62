import {
  CreateTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { type ResourceNames, TAMPER_EVENT_KINDS, tamperRuleName } from '#shared/config/names.ts';
import { ROOT_EVENT_KINDS } from '#shared/events/root-event-patterns.ts';
import { rootGuardPattern, s3GuardPattern } from '../../infra/events/cloudtrail-pattern.ts';
import { tamperPattern } from '../../infra/events/tamper-pattern.ts';
import type { LocalClients } from './clients.ts';

/** The trail `warden local up` creates, so the emulator has what AWS needs before it emits any event. */
export const localTrailName = (prefix: string) => `${prefix}-local-trail`;

/** A bucket name S3 accepts for the local trail's logs. */
const trailBucketName = (prefix: string, accountId: string) => `${prefix}-local-trail-${accountId}`;

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

/**
 * A multi-region trail logging all management events, as `deployment.createTrail` would make in AWS:
 * found again (or created), started, its selectors set explicitly. Returns the trail's name.
 */
export async function ensureLocalTrail(clients: LocalClients, prefix: string, accountId: string) {
  const name = localTrailName(prefix);
  const bucket = trailBucketName(prefix, accountId);
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
    if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
  });
  await clients.cloudTrail
    .send(new CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true }))
    .catch((error: unknown) => {
      if (errorName(error) !== 'TrailAlreadyExistsException') throw error;
    });
  await clients.cloudTrail.send(
    new PutEventSelectorsCommand({
      TrailName: name,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    }),
  );
  const { IsLogging } = await clients.cloudTrail.send(new GetTrailStatusCommand({ Name: name }));
  if (!IsLogging) await clients.cloudTrail.send(new StartLoggingCommand({ Name: name }));
  return name;
}

/** A CDK event pattern as EventBridge takes it (`detailType` is `detail-type` on the wire). */
const wirePattern = ({ detailType, ...rest }: EventPattern): string =>
  JSON.stringify({ ...rest, ...(detailType ? { 'detail-type': detailType } : {}) });

/**
 * Warden's rules on the emulator's default bus, with the hub's patterns and names as Warden gives them
 * (the hub's own rules `<prefix>-hub-...`, tamper-guard's fixed ones). They have no target: local mode
 * invokes the bundles directly. They let `warden doctor local` and the demo see Warden's rules, and
 * tamper-guard repair them. PutRule is idempotent; it also enables a rule left disabled.
 */
export async function ensureLocalRules(
  clients: LocalClients,
  names: ResourceNames,
  ownSessionArns: readonly string[],
): Promise<string[]> {
  const hubRule = (suffix: string) => `${names.prefix}-hub-${suffix}`;
  const watchedRules = {
    tamperRules: [
      { prefix: `${names.prefix}-hub-` },
      ...TAMPER_EVENT_KINDS.filter((kind) => kind !== 'tamperRules').map((kind) =>
        tamperRuleName(names, kind),
      ),
    ],
    tamperRulesWatch: tamperRuleName(names, 'tamperRules'),
  };
  const rules: [string, EventPattern][] = [
    [hubRule('s3-guard'), s3GuardPattern(ownSessionArns)],
    ...ROOT_EVENT_KINDS.map((kind): [string, EventPattern] => [
      hubRule(`root-guard-${kind}`),
      rootGuardPattern(kind),
    ]),
    ...TAMPER_EVENT_KINDS.map((kind): [string, EventPattern] => [
      tamperRuleName(names, kind),
      tamperPattern(kind, { ownSessionArns, watchedRules }),
    ]),
  ];
  for (const [name, pattern] of rules)
    await clients.events.send(
      new PutRuleCommand({
        Name: name,
        EventPattern: wirePattern(pattern),
        State: 'ENABLED',
        Description: 'Warden (local mode)',
      }),
    );
  return rules.map(([name]) => name);
}
