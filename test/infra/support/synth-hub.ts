import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_NAMES, type FunctionName } from '#shared/config/names.ts';
import { createWardenApp } from '../../../infra/warden-app.ts';

/** The feature flags and settings `cdk synth` passes to the app from cdk.json. */
const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')).context;

/**
 * A throwaway bundle in a temp folder, so the infra tests do not depend on `npm run build`
 * or on the functions' progress: they assert on the stack, not on the handler code.
 */
export function throwawayBundleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bundle-'));
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => ({});\n');
  return dir;
}

/** One throwaway bundle for every Warden function (see throwawayBundleDir). */
export function throwawayBundles(): Record<FunctionName, string> {
  const dir = throwawayBundleDir();
  return Object.fromEntries(FUNCTION_NAMES.map((name) => [name, dir])) as Record<FunctionName, string>;
}

/** A policy file with the given YAML text, in a temp folder. */
export function policyFileWith(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'warden-policy-')), 'warden.policy.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface SynthOptions {
  readonly policyFile?: string;
  /** Account unresolved and the fallback home region (us-east-1) unless given. */
  readonly env?: Environment;
  /** Extra CDK context, as `-c key=value` would give it (`homeRegion`, `regions`). */
  readonly context?: Record<string, unknown>;
  /** Bundles that replace the throwaway ones (by function). */
  readonly bundleDirs?: Partial<Record<FunctionName, string>>;
}

/**
 * Synthesizes the app as `cdk synth` does (repo policy file, cdk-nag aspects), offline, whatever
 * the shell's CDK_DEFAULT_* variables: every stack, with templates by stack.
 */
export function synthApp(options: SynthOptions = {}) {
  const result = createWardenApp({
    policyFile: options.policyFile,
    env: options.env ?? {},
    appProps: { context: { ...CDK_CONTEXT, ...options.context } },
    bundleDirs: { ...throwawayBundles(), ...options.bundleDirs },
  });
  return {
    ...result,
    template: Template.fromStack(result.hub),
    forwarderTemplates: Object.fromEntries(
      result.forwarders.map((stack) => [stack.region, Template.fromStack(stack)]),
    ) as Record<string, Template>,
  };
}

/** The hub stack alone (see synthApp). */
export function synthHub(options: SynthOptions = {}) {
  const { hub, template } = synthApp(options);
  return { hub, template };
}
