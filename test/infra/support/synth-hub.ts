import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createWardenApp } from '../../../infra/warden-app.ts';

/**
 * A throwaway bundle in a temp folder, so the infra tests do not depend on `npm run build`
 * or on the functions' progress: they assert on the stack, not on the handler code.
 */
export function throwawayBundleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bundle-'));
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => ({});\n');
  return dir;
}

/** A policy file with the given YAML text, in a temp folder. */
export function policyFileWith(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'warden-policy-')), 'warden.policy.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Synthesizes the hub exactly as `cdk synth` does (repo policy file, cdk-nag aspects), offline. */
export function synthHub(options: { policyFile?: string } = {}) {
  const { hub } = createWardenApp({
    policyFile: options.policyFile,
    bundleDirs: { 's3-guard': throwawayBundleDir() },
  });
  return { hub, template: Template.fromStack(hub) };
}
