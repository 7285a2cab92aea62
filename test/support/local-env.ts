import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type CapturedAlert, takeCapturedAlerts } from '../../cli/local/alert-capture.ts';
import { makeLocalClients } from '../../cli/local/clients.ts';
import type { LocalConfig } from '../../cli/local/local-config.ts';

export { type BucketSetup, resetBucket } from '../../cli/local/bucket-setup.ts';
export { readBucketSnapshot } from '../../cli/local/bucket-snapshot.ts';
export { loadSampleEvent, retargetEvent } from '../../cli/local/sample-events.ts';

/** The emulator provisioned by the global setup. */
export const localConfig = (): LocalConfig => inject('localConfig');

/** Clients pointed at the emulator (S3 path-style, dummy credentials). */
export const makeClients = (config: LocalConfig = localConfig()) => makeLocalClients(config);

/** A bucket name no other test uses: `<prefix>-<8 hex>`, lower case as S3 requires. */
export const uniqueBucketName = (prefix = 'test') => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Alerts published since the last call (the capture queue is drained). */
export function takeAlerts(config: LocalConfig = localConfig()): Promise<CapturedAlert[]> {
  return takeCapturedAlerts(makeClients(config).sqs, config.alertCaptureQueueUrl);
}

/** Invocation options for the bundles in tests: no log lines and no EMF output. */
export const QUIET = { env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } };
