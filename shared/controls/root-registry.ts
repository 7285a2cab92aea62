import { rootAccessKey } from './root-access-key.ts';
import { rootConsoleSignIn } from './root-console-sign-in.ts';
import type { RootControl } from './root-control.ts';
import { rootLoginProfile } from './root-login-profile.ts';
import { rootMfaRemoved } from './root-mfa-removed.ts';

/** Every root-credential control root-guard runs. Adding one: its file, its tests, one line here. */
export const ROOT_CONTROLS: readonly RootControl[] = [
  rootAccessKey,
  rootConsoleSignIn,
  rootMfaRemoved,
  rootLoginProfile,
];

/** The CloudTrail event names root-guard handles (the EventBridge rules match exactly these). */
export const ROOT_GUARD_EVENT_NAMES: readonly string[] = [
  ...new Set(ROOT_CONTROLS.flatMap((control) => control.trigger.eventNames)),
];
