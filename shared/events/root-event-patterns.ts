import { IAM_EVENT_SOURCE, SIGN_IN_DETAIL_TYPES, SIGN_IN_EVENT_SOURCE } from './event-sources.ts';

/**
 * The EventBridge patterns that feed root-guard, as plain JSON for the CDK app. IAM and sign-in
 * events are delivered only in us-east-1, so these rules must live there whatever the hub region.
 * Failed calls are filtered here (no `errorCode`); failed sign-ins carry only `errorMessage` and
 * `ConsoleLogin: Failure`, so the sign-in pattern matches `Success` explicitly. Root creating a key
 * for an IAM user names the user in `requestParameters.userName`; its own key has
 * `requestParameters: null`, where `exists: false` on the missing leaf matches. The same holds for the
 * root user's own MFA devices and password (`rootCredentialChanged`): a call naming `userName` is about
 * an IAM user.
 */
export const ROOT_GUARD_EVENT_PATTERNS = {
  rootAccessKeyCreated: {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: [IAM_EVENT_SOURCE],
      eventName: ['CreateAccessKey'],
      userIdentity: { type: ['Root'] },
      requestParameters: { userName: [{ exists: false }] },
      errorCode: [{ exists: false }],
    },
  },
  rootConsoleSignIn: {
    source: ['aws.signin'],
    'detail-type': [...SIGN_IN_DETAIL_TYPES],
    detail: {
      eventSource: [SIGN_IN_EVENT_SOURCE],
      eventName: ['ConsoleLogin'],
      userIdentity: { type: ['Root'] },
      responseElements: { ConsoleLogin: ['Success'] },
    },
  },
  rootCredentialChanged: {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: [IAM_EVENT_SOURCE],
      eventName: [
        'DeactivateMFADevice',
        'DeleteVirtualMFADevice',
        'CreateLoginProfile',
        'UpdateLoginProfile',
      ],
      userIdentity: { type: ['Root'] },
      requestParameters: { userName: [{ exists: false }] },
      errorCode: [{ exists: false }],
    },
  },
} as const;

export type RootEventKind = keyof typeof ROOT_GUARD_EVENT_PATTERNS;
export const ROOT_EVENT_KINDS = Object.keys(ROOT_GUARD_EVENT_PATTERNS) as RootEventKind[];

/** Root events exist only here (global services): rules elsewhere never fire. */
export const ROOT_GUARD_EVENT_REGION = 'us-east-1';
