/** CloudTrail event sources and detail types Warden's rules and guards match on. */

export const IAM_EVENT_SOURCE = 'iam.amazonaws.com';
export const SIGN_IN_EVENT_SOURCE = 'signin.amazonaws.com';

/** Sign-in events come under two spellings of the detail type; an EventBridge rule must match both. */
export const SIGN_IN_DETAIL_TYPES = [
  'AWS Console Sign In via CloudTrail',
  'AWS Console Signin via CloudTrail',
] as const;
