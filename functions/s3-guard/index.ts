import { createS3Guard } from '#shared/remediation/s3-guard.ts';
import { guardHandler } from '#shared/runtime/guard-handler.ts';
import { createBucketGuardRuntime } from '#shared/runtime/guard-runtime.ts';

// Cold start: validate config (fail fast) and build clients once.
const runtime = createBucketGuardRuntime('s3-guard');

/** EventBridge → s3-guard: parse at the edge, reject malformed events, remediate the rest. */
export const handler = guardHandler(runtime, createS3Guard(runtime.deps));
