import { guardHandler } from '#shared/guard/handler.ts';
import { createS3Guard } from './s3-guard.ts';
import { createS3GuardRuntime } from './wiring.ts';

// Cold start: validate config (fail fast) and build clients once.
const runtime = createS3GuardRuntime();

/** EventBridge → s3-guard: parse at the edge, reject malformed events, remediate the rest. */
export const handler = guardHandler(runtime, createS3Guard(runtime.deps));
