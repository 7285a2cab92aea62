import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionName } from '#shared/config/names.ts';

/**
 * Where the build puts each function's bundle: `dist/functions/<name>/` (the entry `index.mjs` and the
 * chunks it loads on demand). The build writes it, the stacks deploy it, local mode and the tests run it.
 */
export const DIST_FUNCTIONS = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'functions');

export const bundleDir = (name: FunctionName): string => join(DIST_FUNCTIONS, name);
export const bundlePath = (name: FunctionName): string => join(bundleDir(name), 'index.mjs');
