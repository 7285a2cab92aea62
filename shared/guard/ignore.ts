import { MEMBER_ROLE_SESSION_PREFIX } from '#shared/config/names.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import type { Policy } from '#shared/policy/schema.ts';

/**
 * Why an event needs no work, or undefined when it does. Pure; checked before any AWS call.
 * The EventBridge rule already filters failed calls and Warden's own sessions: this is the second line.
 *
 * A call is Warden's own only when it comes from Warden's own session (`userIdentity.arn`): a Warden
 * function's session (`ownSessionArns`, named after the function), or in organization mode the member
 * role assumed with a `warden-` session name. Another session of the same role (someone who passed
 * Warden's role to a function of their own) is checked like anyone's call.
 */
export function ignoreReason(
  call: ApiCall,
  handledEventNames: readonly string[],
  ownSessionArns: readonly string[],
  memberRoleName?: string,
): string | undefined {
  if (call.errorCode) return `the call failed (${call.errorCode}), so nothing changed`;
  if (!handledEventNames.includes(call.eventName))
    return `${call.eventName} is not an event this guard handles`;
  const caller = call.actor.arn;
  if (caller && (ownSessionArns.includes(caller) || isMemberRoleSession(caller, memberRoleName)))
    return `the call was Warden's own remediation (${caller})`;
  return undefined;
}

const ASSUMED_ROLE_SESSION = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/;

/** Organization mode: a session s3-guard opened on the member role (one role name, any account). */
export function isMemberRoleSession(callerArn: string, memberRoleName: string | undefined): boolean {
  if (!memberRoleName) return false;
  const [, role, session] = ASSUMED_ROLE_SESSION.exec(callerArn) ?? [];
  return role === memberRoleName && session?.startsWith(MEMBER_ROLE_SESSION_PREFIX) === true;
}

/** The member role's name when the policy is in organization mode: its calls are Warden's own too. */
export function memberRoleNameOf(policy: Policy): string | undefined {
  return policy.deployment.mode === 'organization'
    ? policy.deployment.organization.memberRoleName
    : undefined;
}
