import { guardHandler } from '#shared/guard/handler.ts';
import { createRootGuard } from './root-guard.ts';
import { createRootGuardRuntime } from './wiring.ts';

// Cold start: validate config (fail fast) and build clients once.
const runtime = createRootGuardRuntime();

/** EventBridge (us-east-1: IAM and sign-in events) → root-guard: root access keys and root sign-ins. */
export const handler = guardHandler(runtime, createRootGuard(runtime.deps));
