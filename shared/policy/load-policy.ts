import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '#shared/errors/errors.ts';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './schema.ts';

export { parsePolicy };

/** The policy file at the repository root. */
export const DEFAULT_POLICY_FILE = 'warden.policy.yaml';

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
    throw new ConfigError(
      `The Warden policy file ${path} is not valid YAML/JSON: ${(error as Error).message}`,
    );
  }
  return parsePolicy(raw, path);
}
