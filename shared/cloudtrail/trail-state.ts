import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { callAws, classifyError, ResourceGoneError } from '#shared/errors/errors.ts';
import { recordsManagementWrites, type TrailSelectors, trailNameOf } from '#shared/model/trail.ts';

export interface TrailStateDeps {
  readonly cloudTrail: Pick<CloudTrailClient, 'send'>;
}

/** What a trail's reader returns besides protection, which depends on the policy (see the target). */
export interface TrailReading {
  readonly name: string;
  readonly arn: string;
  readonly exists: boolean;
  readonly isLogging?: boolean;
  readonly selectors?: TrailSelectors;
  readonly otherLoggingTrails?: readonly string[];
}

const NOT_FOUND = new Set(['TrailNotFoundException', 'CloudTrailARNInvalidException']);
const isNotFound = (error: unknown) => NOT_FOUND.has((error as { name?: string } | null)?.name ?? '');

/** CloudTrail's selectors answer, as the SDK-free model holds it. */
export async function readSelectors(deps: TrailStateDeps, trail: string): Promise<TrailSelectors> {
  const output = await callAws(`reading the event selectors of trail ${trail}`, () =>
    deps.cloudTrail.send(new GetEventSelectorsCommand({ TrailName: trail })),
  );
  return {
    ...(output.EventSelectors ? { EventSelectors: output.EventSelectors } : {}),
    ...(output.AdvancedEventSelectors ? { AdvancedEventSelectors: output.AdvancedEventSelectors } : {}),
  };
}

export async function readLogging(deps: TrailStateDeps, trail: string): Promise<boolean> {
  const status = await callAws(`reading the status of trail ${trail}`, () =>
    deps.cloudTrail.send(new GetTrailStatusCommand({ Name: trail })),
  );
  return status.IsLogging === true;
}

/** Other trails of the account that log management write events; one unreadable trail is left out. */
async function otherLoggingTrails(deps: TrailStateDeps, except: string): Promise<string[]> {
  const { trailList = [] } = await callAws('listing the trails', () =>
    deps.cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
  );
  const others = trailList.filter((trail: Trail) => trail.Name && trail.Name !== except);
  const logging = await Promise.all(
    others.map(async (trail) => {
      const id = trail.TrailARN ?? (trail.Name as string);
      try {
        return (await readLogging(deps, id)) && recordsManagementWrites(await readSelectors(deps, id))
          ? [trail.Name as string]
          : [];
      } catch (error) {
        if (classifyError(error, id).retryable) throw error;
        return [];
      }
    }),
  );
  return [...new Set(logging.flat())].sort();
}

/** A trail's live state: whether it exists, is logging, what it records, and (when gone) who still logs. */
export async function readTrail(
  deps: TrailStateDeps,
  nameOrArn: string,
  parts: ReadonlySet<string>,
): Promise<TrailReading> {
  const name = trailNameOf(nameOrArn);
  let trail: Trail | undefined;
  try {
    ({ Trail: trail } = await deps.cloudTrail.send(new GetTrailCommand({ Name: nameOrArn })));
  } catch (error) {
    if (!isNotFound(error)) throw classifyError(error, `reading trail ${nameOrArn}`);
  }
  const arn = trail?.TrailARN ?? nameOrArn;
  if (!trail)
    return {
      name,
      arn,
      exists: false,
      ...(parts.has('others') ? { otherLoggingTrails: await otherLoggingTrails(deps, name) } : {}),
    };
  // The emulator takes names only; AWS takes either (the ARN from another region).
  const id = trail.Name ?? name;
  const [isLogging, selectors] = await Promise.all([
    readLogging(deps, id),
    parts.has('selectors') || parts.has('protection') ? readSelectors(deps, id) : undefined,
  ]).catch((error: unknown) => {
    if (isNotFound(error) || error instanceof ResourceGoneError)
      throw new ResourceGoneError(`trail ${nameOrArn} was deleted while Warden read it`);
    throw error;
  });
  return { name: id, arn, exists: true, isLogging, ...(selectors ? { selectors } : {}) };
}
