import * as z from 'zod/mini';
import { ConfigError } from '#shared/errors/errors.ts';
import { type Policy, PolicySchema } from './schema.ts';

/** Validates an already-parsed policy object; the error names every offending field. */
export function parsePolicy(raw: unknown, source: string): Policy {
  const result = PolicySchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`Invalid Warden policy in ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
