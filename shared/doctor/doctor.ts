import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { type EventBridgeClient, ListRulesCommand, type Rule } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { paginateListSubscriptionsByTopic, type SNSClient } from '@aws-sdk/client-sns';
import type { ResourceNames } from '#shared/config/names.ts';

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

export interface DoctorInput {
  readonly names: ResourceNames;
  /** Regions whose EventBridge rules should exist (home region first). */
  readonly regions: readonly string[];
  readonly alertTopicArn: string;
  /** The Slack secret id (name or ARN). */
  readonly slackSecretId: string;
}

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? 'Error';
const messageOf = (error: unknown) => `${errorName(error)}: ${(error as Error)?.message ?? String(error)}`;

/** A trail that records this region's management events and is logging; multi-region or organization-wide. */
export async function checkTrail(deps: Pick<DoctorDeps, 'cloudTrail'>): Promise<CheckResult> {
  const check = 'CloudTrail trail logging';
  try {
    const { trailList = [] } = await deps.cloudTrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: true }),
    );
    const statuses = await Promise.all(
      trailList.map(async (trail) => {
        const status = await deps.cloudTrail.send(
          new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }),
        );
        return { trail, logging: status.IsLogging === true };
      }),
    );
    const logging = statuses.filter((s) => s.logging);
    const wide = logging.find((s) => s.trail.IsMultiRegionTrail || s.trail.IsOrganizationTrail);
    if (wide) {
      const kind = wide.trail.IsOrganizationTrail ? 'organization trail' : 'multi-region trail';
      return { check, status: 'OK', detail: `${wide.trail.Name} (${kind}) is logging` };
    }
    if (logging[0])
      return {
        check,
        status: 'WARN',
        detail: `${logging[0].trail.Name} is logging but covers one region only: events from other regions never reach Warden`,
      };
    if (trailList.length > 0)
      return {
        check,
        status: 'FAIL',
        detail: `${trailList.map((t) => t.Name).join(', ')} exist but none is logging: AWS emits no events`,
      };
    return {
      check,
      status: 'FAIL',
      detail: 'No trail: AWS emits no events for Warden. Set deployment.createTrail: true, or create one',
    };
  } catch (error) {
    return { check, status: 'FAIL', detail: `could not read trails (${messageOf(error)})` };
  }
}

/** Warden's rules (names start with the prefix) in one region: present, and all enabled. */
export async function checkRules(
  deps: Pick<DoctorDeps, 'eventsIn'>,
  input: Pick<DoctorInput, 'names'>,
  region: string,
): Promise<CheckResult> {
  const check = `EventBridge rules in ${region}`;
  try {
    const events = deps.eventsIn(region);
    const rules: Rule[] = [];
    let NextToken: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: input.names.prefix, NextToken }));
      rules.push(...(page.Rules ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    if (rules.length === 0)
      return {
        check,
        status: 'FAIL',
        detail: `no rule named ${input.names.prefix}*: events are not delivered here`,
      };
    const disabled = rules.filter((rule) => rule.State !== 'ENABLED');
    if (disabled.length > 0)
      return {
        check,
        status: 'WARN',
        detail: `${disabled.length} of ${rules.length} rules not enabled: ${disabled.map((r) => r.Name).join(', ')}`,
      };
    return { check, status: 'OK', detail: `${rules.length} rule(s), all enabled` };
  } catch (error) {
    return { check, status: 'FAIL', detail: `could not list rules (${messageOf(error)})` };
  }
}

const PLACEHOLDER = /placeholder|change[-_ ]?me|replace[-_ ]?me|todo|example|xxx/i;

/** The Slack webhook secret holds a real URL. The value is read to judge it, never shown. */
export async function checkSlackSecret(
  deps: Pick<DoctorDeps, 'secrets'>,
  input: Pick<DoctorInput, 'slackSecretId'>,
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
  input: Pick<DoctorInput, 'names'>,
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
  input: Pick<DoctorInput, 'alertTopicArn'>,
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

/** Every check, in a fixed order: will events flow, will people hear about them. */
export async function runDoctor(deps: DoctorDeps, input: DoctorInput): Promise<readonly CheckResult[]> {
  return Promise.all([
    checkTrail(deps),
    ...input.regions.map((region) => checkRules(deps, input, region)),
    checkSlackSecret(deps, input),
    checkKmsKey(deps, input),
    checkAlertTopic(deps, input),
  ]);
}

/** 0 when every check is OK, 1 otherwise. */
export const doctorExitCode = (results: readonly CheckResult[]): number =>
  results.every((result) => result.status === 'OK') ? 0 : 1;

export function formatDoctorReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  return results.map((r) => `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`).join('\n');
}
