import { IAM_EVENT_SOURCE, SIGN_IN_EVENT_SOURCE } from '#shared/events/event-sources.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { classifyRootCredentialChange, type RootCredentialChange } from './root-credentials.ts';

/** A use of the root user that root-guard acts on, read from one CloudTrail event. */
export type RootActivity = RootAccessKeyCreated | RootConsoleSignIn | RootCredentialChange;

export interface RootAccessKeyCreated {
  readonly kind: 'root-access-key-created';
  readonly accountId: string;
  /** From `responseElements.accessKey.accessKeyId`; absent only if CloudTrail dropped it. */
  readonly accessKeyId?: string;
  /** As CloudTrail wrote it: a Java-style date ("Jul 30, 2024 9:53:13 PM"), shown, never parsed. */
  readonly createDate?: string;
}

export interface RootConsoleSignIn {
  readonly kind: 'root-console-sign-in';
  readonly accountId: string;
  readonly mfaUsed: boolean;
}

export type RootActivityKind = RootActivity['kind'];

/** Either the root activity in the event, or why the event is none of root-guard's business. */
export type Classification =
  | { readonly activity: RootActivity; readonly ignored?: undefined }
  | { readonly activity?: undefined; readonly ignored: string };

/** The root user's ARN, used as the alert and audit resource. */
export const rootArnOf = (accountId: string): string => `arn:aws:iam::${accountId}:root`;

const asRecord = (value: unknown): Readonly<Record<string, unknown>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

const describeActor = (call: ApiCall): string =>
  call.actor.arn ? `${call.actor.type} ${call.actor.arn}` : call.actor.type;

function classifyCreateAccessKey(call: ApiCall): Classification {
  if (call.actor.type !== 'Root')
    return { ignored: `the access key was created by ${describeActor(call)}, not by the root user` };
  // Root may create keys for IAM users too: those name the user and are not root credentials.
  const userName = asString(call.requestParameters.userName);
  if (userName) return { ignored: `the root user created an access key for IAM user ${userName}` };
  const accessKey = asRecord(call.responseElements.accessKey);
  const accessKeyId = asString(accessKey.accessKeyId);
  const createDate = asString(accessKey.createDate);
  return {
    activity: {
      kind: 'root-access-key-created',
      accountId: call.accountId,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(createDate ? { createDate } : {}),
    },
  };
}

function describeSignInResult(result: unknown): string {
  if (result === undefined || result === null) return 'no result';
  // JSON, not String(): an object from the event (`{"toString": 1}`) has no string conversion.
  return typeof result === 'string' ? result : JSON.stringify(result);
}

function classifyConsoleLogin(call: ApiCall): Classification {
  // A failed sign-in may carry only `errorMessage`, with no `errorCode`.
  const result = call.responseElements.ConsoleLogin;
  if (call.errorMessage || result !== 'Success')
    return { ignored: `the sign-in did not succeed (${call.errorMessage ?? describeSignInResult(result)})` };
  if (call.actor.type !== 'Root') return { ignored: `the sign-in was by ${describeActor(call)}, not root` };
  return {
    activity: {
      kind: 'root-console-sign-in',
      accountId: call.accountId,
      mfaUsed: call.additionalEventData.MFAUsed === 'Yes',
    },
  };
}

/** Pure: what root activity an event shows. Failed calls and non-root principals are ignored. */
export function classifyRootActivity(call: ApiCall): Classification {
  if (call.errorCode) return { ignored: `the call failed (${call.errorCode}), so nothing changed` };
  if (call.eventSource === IAM_EVENT_SOURCE && call.eventName === 'CreateAccessKey')
    return classifyCreateAccessKey(call);
  if (call.eventSource === SIGN_IN_EVENT_SOURCE && call.eventName === 'ConsoleLogin')
    return classifyConsoleLogin(call);
  const credentialChange = classifyRootCredentialChange(call);
  if (credentialChange) return credentialChange;
  return { ignored: `${call.eventSource} ${call.eventName} is not an event root-guard handles` };
}
