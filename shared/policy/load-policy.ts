import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '#shared/errors/errors.ts';
import { type Policy, PolicySchema } from './schema.ts';

/** The policy file at the repository root. */
export const DEFAULT_POLICY_FILE = 'warden.policy.yaml';

/** Validates an already-parsed policy object; the error names every offending field. */
export function parsePolicy(raw: unknown, source: string): Policy {
  const result = PolicySchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`Invalid Warden policy in ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** Reads and validates a YAML or JSON policy file (YAML is a superset of JSON). */
export function loadPolicyFile(path: string = DEFAULT_POLICY_FILE): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the Warden policy file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`The Warden policy file ${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  return parsePolicy(raw, path);
}
