import { guardHandler } from '#shared/guard/handler.ts';
import { createTamperGuard } from './tamper-guard.ts';
import { createTamperGuardRuntime } from './wiring.ts';

// Cold start: validate config (fail fast) and build clients once.
const runtime = createTamperGuardRuntime();

/** EventBridge (KMS, CloudTrail and EventBridge-rule events) → tamper-guard: what would blind Warden or destroy data. */
export const handler = guardHandler(runtime, createTamperGuard(runtime.deps));
