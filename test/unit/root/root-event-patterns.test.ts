import { describe, expect, it } from 'vitest';
import { ROOT_GUARD_EVENT_PATTERNS, ROOT_GUARD_EVENT_REGION } from '#shared/events/root-event-patterns.ts';

describe('root-guard event patterns', () => {
  it('match successful root CreateAccessKey calls for the root user’s own key, not for IAM users', () => {
    expect(ROOT_GUARD_EVENT_PATTERNS.rootAccessKeyCreated).toEqual({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: ['CreateAccessKey'],
        userIdentity: { type: ['Root'] },
        requestParameters: { userName: [{ exists: false }] },
        errorCode: [{ exists: false }],
      },
    });
  });

  it('match successful root sign-ins under both spellings of the detail type', () => {
    expect(ROOT_GUARD_EVENT_PATTERNS.rootConsoleSignIn).toMatchObject({
      source: ['aws.signin'],
      'detail-type': ['AWS Console Sign In via CloudTrail', 'AWS Console Signin via CloudTrail'],
      detail: { userIdentity: { type: ['Root'] }, responseElements: { ConsoleLogin: ['Success'] } },
    });
  });

  it('belong in us-east-1, the only region with IAM and sign-in events', () => {
    expect(ROOT_GUARD_EVENT_REGION).toBe('us-east-1');
  });
});
