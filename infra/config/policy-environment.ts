import { ConfigError } from '#shared/errors/errors.ts';
import type { Policy } from '#shared/policy/schema.ts';

/**
 * Lambda allows 4 KB for all environment variables together; the policy gets at most 3 KB of it
 * so the ARNs and names still fit. Past that, synth fails here rather than at deploy time.
 */
export const MAX_POLICY_ENV_BYTES = 3 * 1024;

/** The validated policy as the guard functions read it back (`WARDEN_POLICY`). */
export function policyEnvironmentValue(policy: Policy): string {
  const value = JSON.stringify(policy);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_POLICY_ENV_BYTES) {
    throw new ConfigError(
      `The Warden policy is ${bytes} bytes as JSON; the function environment allows at most ` +
        `${MAX_POLICY_ENV_BYTES}. Shorten s3.exemptBuckets (use globs) or s3.approvedKmsKeyArns.`,
    );
  }
  return value;
}
