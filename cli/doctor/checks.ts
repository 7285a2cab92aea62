/**
 * `warden doctor`'s checks, one function each, read-only: the trail, the Slack secret, Warden's key
 * and the alert topic (the EventBridge rules are in rules.ts). A failed read is a FAIL, never thrown.
 */
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { paginateListSubscriptionsByTopic, type SNSClient } from '@aws-sdk/client-sns';
import type { ResourceNames } from '#shared/config/names.ts';
import { recordsManagementWrites } from '#shared/model/trail.ts';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  /** One line for people; never a secret value. */
  readonly detail: string;
}

/** What doctor reads; each client is built by the CLI against the configured credentials (or the emulator). */
export interface DoctorDeps {
  readonly cloudTrail: Pick<CloudTrailClient, 'send'>;
  /** EventBridge in a given region (rules are regional). */
  readonly eventsIn: (region: string) => Pick<EventBridgeClient, 'send'>;
  readonly secrets: Pick<SecretsManagerClient, 'send'>;
  readonly kms: Pick<KMSClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
}

export const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? 'Error';
export const messageOf = (error: unknown) =>
  `${errorName(error)}: ${(error as Error)?.message ?? String(error)}`;

/** Whether a trail records management write events (the model's rule, shared with tamper-guard). */
export { recordsManagementWrites };

interface TrailReading {
  readonly trail: Trail;
  readonly name: string;
  readonly wide: boolean;
  /** undefined: the status could not be read (`statusError` says why). */
  readonly logging?: boolean;
  readonly statusError?: string;
  /** undefined: not logging, or the selectors could not be read (`selectorsError` says why). */
  readonly managementWrites?: boolean;
  readonly selectorsError?: string;
}

/** One trail's status, then (when logging) its selectors; a failed read is recorded, not thrown. */
async function readTrail(deps: Pick<DoctorDeps, 'cloudTrail'>, trail: Trail): Promise<TrailReading> {
  const id = trail.TrailARN ?? trail.Name;
  const base = {
    trail,
    name: trail.Name ?? id ?? 'unnamed trail',
    wide: trail.IsMultiRegionTrail === true || trail.IsOrganizationTrail === true,
  };
  let logging: boolean;
  try {
    logging = (await deps.cloudTrail.send(new GetTrailStatusCommand({ Name: id }))).IsLogging === true;
  } catch (error) {
    return { ...base, statusError: messageOf(error) };
  }
  if (!logging) return { ...base, logging };
  try {
    const selectors = await deps.cloudTrail.send(new GetEventSelectorsCommand({ TrailName: id }));
    return { ...base, logging, managementWrites: recordsManagementWrites(selectors) };
  } catch (error) {
    return { ...base, logging, selectorsError: messageOf(error) };
  }
}

/**
 * A trail that is logging and records management write events; multi-region or organization-wide.
 * A trail whose status cannot be read (another account's) does not spoil another that is logging.
 */
export async function checkTrail(deps: Pick<DoctorDeps, 'cloudTrail'>): Promise<CheckResult> {
  const check = 'CloudTrail trail logging';
  let trailList: Trail[];
  try {
    ({ trailList = [] } = await deps.cloudTrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: true }),
    ));
  } catch (error) {
    return { check, status: 'FAIL', detail: `could not read trails (${messageOf(error)})` };
  }
  if (trailList.length === 0)
    return {
      check,
      status: 'FAIL',
      detail: 'No trail: AWS emits no events for Warden. Set deployment.createTrail: true, or create one',
    };
  const readings = await Promise.all(trailList.map((trail) => readTrail(deps, trail)));
  const recording = readings.filter((reading) => reading.managementWrites === true);
  const wide = recording.find((reading) => reading.wide);
  if (wide) {
    const kind = wide.trail.IsOrganizationTrail ? 'organization trail' : 'multi-region trail';
    return { check, status: 'OK', detail: `${wide.name} (${kind}) is logging management events` };
  }
  if (recording[0])
    return {
      check,
      status: 'WARN',
      detail: `${recording[0].name} is logging but covers one region only: events from other regions never reach Warden`,
    };
  const logging = readings.filter((reading) => reading.logging === true);
  if (logging.length > 0)
    return {
      check,
      status: 'WARN',
      detail: logging
        .map((reading) =>
          reading.selectorsError
            ? `${reading.name} is logging, but its event selectors could not be read (${reading.selectorsError})`
            : `${reading.name} is logging, but its event selectors leave out management write events`,
        )
        .join('; '),
    };
  const unreadable = readings.filter((reading) => reading.statusError);
  const stopped = readings.filter((reading) => reading.logging === false);
  return {
    check,
    status: 'FAIL',
    detail: [
      ...(stopped.length > 0
        ? [
            `${stopped.map((reading) => reading.name).join(', ')} exist but none is logging: AWS emits no events`,
          ]
        : []),
      ...unreadable.map((reading) => `status of ${reading.name} could not be read (${reading.statusError})`),
    ].join('; '),
  };
}

const PLACEHOLDER = /placeholder|change[-_ ]?me|replace[-_ ]?me|todo|example|xxx/i;

/** The Slack webhook secret holds a real URL. The value is read to judge it, never shown. */
export async function checkSlackSecret(
  deps: Pick<DoctorDeps, 'secrets'>,
  input: { readonly slackSecretId: string },
): Promise<CheckResult> {
  const check = 'Slack webhook secret';
  let value: string | undefined;
  try {
    value = (await deps.secrets.send(new GetSecretValueCommand({ SecretId: input.slackSecretId })))
      .SecretString;
  } catch (error) {
    const detail =
      errorName(error) === 'ResourceNotFoundException'
        ? `${input.slackSecretId} does not exist`
        : `${input.slackSecretId} could not be read (${errorName(error)})`;
    return { check, status: 'FAIL', detail };
  }
  const trimmed = value?.trim() ?? '';
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (!trimmed || !url || PLACEHOLDER.test(trimmed))
    return {
      check,
      status: 'FAIL',
      detail: `${input.slackSecretId} has no webhook URL yet (empty or placeholder)`,
    };
  if (url.protocol === 'https:' && url.hostname === 'hooks.slack.com')
    return { check, status: 'OK', detail: `${input.slackSecretId} holds a Slack webhook URL` };
  return {
    check,
    status: 'WARN',
    detail: `${input.slackSecretId} holds a URL that is not https://hooks.slack.com (fine for local mode only)`,
  };
}

/** Warden's key: alerts and remediated buckets depend on it being Enabled. */
export async function checkKmsKey(
  deps: Pick<DoctorDeps, 'kms'>,
  input: { readonly names: ResourceNames },
): Promise<CheckResult> {
  const check = 'KMS key';
  const alias = input.names.kmsKeyAlias;
  try {
    const { KeyMetadata } = await deps.kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const state = KeyMetadata?.KeyState ?? 'Unknown';
    if (state === 'Enabled') return { check, status: 'OK', detail: `${alias} is Enabled` };
    return {
      check,
      status: 'FAIL',
      detail: `${alias} is ${state}: Warden cannot encrypt buckets or alerts with it`,
    };
  } catch (error) {
    return { check, status: 'FAIL', detail: `${alias} could not be described (${errorName(error)})` };
  }
}

/** The alert topic exists and someone listens: confirmed subscriptions. */
export async function checkAlertTopic(
  deps: Pick<DoctorDeps, 'sns'>,
  input: { readonly alertTopicArn: string },
): Promise<CheckResult> {
  const check = 'Alert topic';
  try {
    const subscriptions = [];
    for await (const page of paginateListSubscriptionsByTopic(
      { client: deps.sns as SNSClient },
      { TopicArn: input.alertTopicArn },
    ))
      subscriptions.push(...(page.Subscriptions ?? []));
    const confirmed = subscriptions.filter(
      (s) => s.SubscriptionArn && s.SubscriptionArn !== 'PendingConfirmation',
    );
    if (confirmed.length > 0)
      return { check, status: 'OK', detail: `${confirmed.length} confirmed subscription(s)` };
    if (subscriptions.length > 0)
      return {
        check,
        status: 'WARN',
        detail: 'subscriptions are pending confirmation: nobody receives alerts yet',
      };
    return { check, status: 'WARN', detail: 'no subscriptions: nobody receives alerts' };
  } catch (error) {
    const detail =
      errorName(error) === 'NotFoundException' || errorName(error) === 'NotFound'
        ? `${input.alertTopicArn} does not exist`
        : `could not list subscriptions (${messageOf(error)})`;
    return { check, status: 'FAIL', detail };
  }
}

/** 0 when every check is OK, 1 otherwise. */
export const doctorExitCode = (results: readonly CheckResult[]): number =>
  results.every((result) => result.status === 'OK') ? 0 : 1;

export function formatDoctorReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  return results.map((r) => `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`).join('\n');
}
