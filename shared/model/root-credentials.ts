import { IAM_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import type { ApiCall } from '#shared/events/normalise.ts';

/** The root user's MFA device deactivated or a virtual MFA device deleted by the root user. */
export interface RootMfaRemoved {
  readonly kind: 'root-mfa-removed';
  readonly accountId: string;
  readonly eventName: 'DeactivateMFADevice' | 'DeleteVirtualMFADevice';
  /** `requestParameters.serialNumber`: the device ARN (virtual) or the hardware serial. */
  readonly serialNumber?: string;
  readonly eventTime: string;
}

/** A password set for the root user (its login profile created or changed). */
export interface RootLoginProfileSet {
  readonly kind: 'root-login-profile';
  readonly accountId: string;
  readonly eventName: 'CreateLoginProfile' | 'UpdateLoginProfile';
  readonly eventTime: string;
}

export type RootCredentialChange = RootMfaRemoved | RootLoginProfileSet;

export const ROOT_MFA_EVENT_NAMES = ['DeactivateMFADevice', 'DeleteVirtualMFADevice'] as const;
export const ROOT_LOGIN_PROFILE_EVENT_NAMES = ['CreateLoginProfile', 'UpdateLoginProfile'] as const;

const isOneOf = <T extends string>(names: readonly T[], name: string): name is T =>
  (names as readonly string[]).includes(name);

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * Pure: the root credential change in an IAM event, or why it is none. Only the root user (its own
 * session, or a privileged session of centralised root access, both `userIdentity.type` Root) changes
 * its own MFA or password; a call naming `userName` is about an IAM user, whoever made it.
 */
export function classifyRootCredentialChange(
  call: ApiCall,
): { readonly activity: RootCredentialChange } | { readonly ignored: string } | undefined {
  if (call.eventSource !== IAM_EVENT_SOURCE) return undefined;
  const mfa = isOneOf(ROOT_MFA_EVENT_NAMES, call.eventName) ? call.eventName : undefined;
  const password = isOneOf(ROOT_LOGIN_PROFILE_EVENT_NAMES, call.eventName) ? call.eventName : undefined;
  if (!mfa && !password) return undefined;
  if (call.actor.type !== 'Root')
    return {
      ignored: `${call.eventName} was called by ${call.actor.arn ?? call.actor.type}, not the root user`,
    };
  const userName = asString(call.requestParameters.userName);
  if (userName) return { ignored: `the root user called ${call.eventName} for IAM user ${userName}` };
  const base = { accountId: call.accountId, eventTime: call.eventTime };
  if (password) return { activity: { kind: 'root-login-profile', eventName: password, ...base } };
  const serialNumber = asString(call.requestParameters.serialNumber);
  return {
    activity: {
      kind: 'root-mfa-removed',
      eventName: mfa as RootMfaRemoved['eventName'],
      ...base,
      ...(serialNumber ? { serialNumber } : {}),
    },
  };
}
