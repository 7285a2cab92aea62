import * as z from 'zod';
import { ConfigError } from '#shared/errors/errors.ts';
import { GLOBAL_EVENTS_REGION, type Policy, regionName } from '#shared/policy/schema.ts';

/** `cdk deploy -c homeRegion=eu-west-1` overrides `deployment.homeRegion` of the policy file. */
export const HOME_REGION_CONTEXT = 'homeRegion';
/** `cdk deploy -c regions=eu-west-1,us-east-1,eu-central-1` overrides `deployment.regions`. */
export const REGIONS_CONTEXT = 'regions';
/** Used when neither the context, the policy nor the CLI names a region (offline synth on a bare machine). */
export const FALLBACK_HOME_REGION = GLOBAL_EVENTS_REGION;

/** A region that is not the hub's: its forwarder sends these events to the hub's default bus. */
export interface ForwarderRegion {
  readonly region: string;
  /** The region is watched: its S3 events go to the hub. */
  readonly s3: boolean;
  /** us-east-1: the IAM and sign-in events of the whole account go to the hub. */
  readonly root: boolean;
}

export interface DeploymentRegions {
  readonly homeRegion: string;
  /** Every region whose S3 events Warden watches, the home region first. */
  readonly watchedRegions: readonly string[];
  /** Every other region that needs a stack; empty when the hub is in us-east-1 and watches only it. */
  readonly forwarders: readonly ForwarderRegion[];
  /** Where the home region came from, for messages. */
  readonly homeRegionSource: 'context' | 'policy' | 'cli' | 'fallback';
}

export interface RegionInputs {
  readonly policy: Policy;
  /** Raw CDK context values (strings from `-c`, or arrays from cdk.json). */
  readonly contextHomeRegion?: unknown;
  readonly contextRegions?: unknown;
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
  const needsStack = new Set([...watchedRegions, GLOBAL_EVENTS_REGION]);
  needsStack.delete(homeRegion);
  const forwarders = [...needsStack].sort().map((region) => ({
    region,
    s3: watchedRegions.includes(region),
    root: region === GLOBAL_EVENTS_REGION,
  }));
  return { homeRegion, watchedRegions, forwarders, homeRegionSource };
}
