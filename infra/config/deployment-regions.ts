import * as z from 'zod';
import { ConfigError } from '#shared/errors/errors.ts';
import { GLOBAL_EVENTS_REGION, type Policy, regionName } from '#shared/policy/schema.ts';

/** `cdk deploy -c homeRegion=eu-west-1` overrides `deployment.homeRegion` of the policy file. */
export const HOME_REGION_CONTEXT = 'homeRegion';
/** `cdk deploy -c regions=eu-west-1,us-east-1,eu-central-1` overrides `deployment.regions`. */
export const REGIONS_CONTEXT = 'regions';
/** `cdk deploy -c accountLevelRegions=...` overrides `deployment.accountLevelRegions`. */
export const ACCOUNT_LEVEL_REGIONS_CONTEXT = 'accountLevelRegions';

/**
 * The commercial regions AWS enables in every account (no opt-in), the default list of regions that
 * forward account-level Block Public Access changes. An opt-in region can be reached only once the
 * account enables it: add it to `deployment.accountLevelRegions` when you do. A fixed list, so synth
 * is deterministic and needs no AWS call.
 */
export const DEFAULT_ENABLED_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** Regions outside the commercial partition, where the default list means nothing. */
const OTHER_PARTITION_REGION = /^(cn|us-gov|us-iso[a-z]?|eu-isoe)-/;
/** Used when neither the context, the policy nor the CLI names a region (offline synth on a bare machine). */
export const FALLBACK_HOME_REGION = GLOBAL_EVENTS_REGION;

/** A region that is not the hub's: its forwarder sends these events to the hub's default bus. */
export interface ForwarderRegion {
  readonly region: string;
  /** The region is watched: its S3 events go to the hub. */
  readonly s3: boolean;
  /** us-east-1: the IAM and sign-in events of the whole account go to the hub. */
  readonly root: boolean;
  /**
   * Not watched, but account-level Block Public Access changes made through this region's S3
   * Control endpoint (CloudTrail records them here) go to the hub. Where S3 is watched, its rule
   * already carries them.
   */
  readonly accountLevel: boolean;
}

export interface DeploymentRegions {
  readonly homeRegion: string;
  /** Every region whose S3 events Warden watches, the home region first. */
  readonly watchedRegions: readonly string[];
  /** Every region whose account-level Block Public Access changes reach the hub, watched ones included. */
  readonly accountLevelRegions: readonly string[];
  /** Every other region that needs a stack. */
  readonly forwarders: readonly ForwarderRegion[];
  /** Where the home region came from, for messages. */
  readonly homeRegionSource: 'context' | 'policy' | 'cli' | 'fallback';
}

export interface RegionInputs {
  readonly policy: Policy;
  /** Raw CDK context values (strings from `-c`, or arrays from cdk.json). */
  readonly contextHomeRegion?: unknown;
  readonly contextRegions?: unknown;
  readonly contextAccountLevelRegions?: unknown;
  /** The CLI's region (`CDK_DEFAULT_REGION`). */
  readonly cliRegion?: string;
}

const ContextRegions = z
  .union([
    z.array(z.string()),
    z.string().transform((value) => value.split(',').map((region) => region.trim())),
  ])
  .pipe(z.array(regionName).min(1));

function parseContext<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ConfigError(`Invalid CDK context ${name}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Which region holds the hub and which regions get a forwarder. Context beats the policy file,
 * which beats the CLI's region. us-east-1 always has a stack: IAM and sign-in events exist only there.
 */
export function resolveDeploymentRegions(inputs: RegionInputs): DeploymentRegions {
  const { deployment } = inputs.policy;
  const contextHome =
    inputs.contextHomeRegion === undefined
      ? undefined
      : parseContext(regionName, inputs.contextHomeRegion, HOME_REGION_CONTEXT);
  const contextRegions =
    inputs.contextRegions === undefined
      ? undefined
      : parseContext(ContextRegions, inputs.contextRegions, REGIONS_CONTEXT);

  const [homeRegion, homeRegionSource] = contextHome
    ? [contextHome, 'context' as const]
    : deployment.homeRegion
      ? [deployment.homeRegion, 'policy' as const]
      : inputs.cliRegion
        ? [inputs.cliRegion, 'cli' as const]
        : [FALLBACK_HOME_REGION, 'fallback' as const];

  const listed = contextRegions ?? deployment.regions ?? [homeRegion];
  if (new Set(listed).size !== listed.length)
    throw new ConfigError(`The regions to watch list a region twice: ${listed.join(', ')}`);
  if (!listed.includes(homeRegion))
    throw new ConfigError(
      `The regions to watch (${listed.join(', ')}) must include the home region ${homeRegion} ` +
        `(from ${homeRegionSource === 'cli' ? 'the CLI region' : homeRegionSource}).`,
    );
  const watchedRegions = [homeRegion, ...listed.filter((region) => region !== homeRegion)];
  const accountLevelRegions = resolveAccountLevelRegions(inputs, homeRegion, watchedRegions);
  const needsStack = new Set([...watchedRegions, GLOBAL_EVENTS_REGION, ...accountLevelRegions]);
  needsStack.delete(homeRegion);
  const forwarders = [...needsStack].sort().map((region) => ({
    region,
    s3: watchedRegions.includes(region),
    root: region === GLOBAL_EVENTS_REGION,
    accountLevel: !watchedRegions.includes(region) && accountLevelRegions.includes(region),
  }));
  return { homeRegion, watchedRegions, accountLevelRegions, forwarders, homeRegionSource };
}

/**
 * The account-level Block Public Access setting is account-wide, but CloudTrail records a change to
 * it in the region of the S3 Control endpoint called: every enabled region must forward it. Context
 * beats the policy, which beats the default (the regions AWS enables by default); the watched
 * regions always count. An empty policy list means the watched regions only (e.g. when an SCP
 * denies every other region).
 */
function resolveAccountLevelRegions(
  inputs: RegionInputs,
  homeRegion: string,
  watchedRegions: readonly string[],
): string[] {
  const listed =
    inputs.contextAccountLevelRegions === undefined
      ? inputs.policy.deployment.accountLevelRegions
      : parseContext(ContextRegions, inputs.contextAccountLevelRegions, ACCOUNT_LEVEL_REGIONS_CONTEXT);
  if (listed === undefined && OTHER_PARTITION_REGION.test(homeRegion))
    throw new ConfigError(
      `The default deployment.accountLevelRegions lists commercial regions, and the home region ${homeRegion} ` +
        'is in another partition: list the enabled regions of your account in deployment.accountLevelRegions.',
    );
  const regions = listed ?? DEFAULT_ENABLED_REGIONS;
  if (new Set(regions).size !== regions.length)
    throw new ConfigError(`deployment.accountLevelRegions lists a region twice: ${regions.join(', ')}`);
  return [...new Set([...watchedRegions, ...regions])];
}
