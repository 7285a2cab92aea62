/**
 * The one build: each function's handler becomes `dist/functions/<name>/index.mjs` (ESM, minified,
 * AWS SDK bundled), and what it loads only on demand (dynamic `import()`) a chunk beside it. CDK
 * deploys each folder whole; local mode and the tests run the same files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_NAMES, type FunctionName } from '#shared/config/names.ts';
import { bundleDir } from './config/bundles.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_META = join(ROOT, 'dist', 'meta');

export function buildOptions(name: FunctionName): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { index: join(ROOT, 'functions', name, 'index.ts') },
    outdir: bundleDir(name),
    outExtension: { '.js': '.mjs' },
    // Code loaded on demand (dynamic import) becomes a chunk beside the entry, fetched only when needed.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Lambda (and local mode) give credentials in the environment: see shared/aws/lambda-credentials.ts.
    alias: { '@aws-sdk/credential-provider-node': join(ROOT, 'shared', 'aws', 'lambda-credentials.ts') },
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import{createRequire as __wcr}from'node:module';const require=__wcr(import.meta.url);" },
  };
}

/** Builds one function; chunks of earlier builds are removed, so the folder CDK ships holds only this build. */
export async function buildFunction(name: FunctionName) {
  const result = await build(buildOptions(name));
  const written = new Set(Object.keys(result.metafile?.outputs ?? {}).map((file) => join(ROOT, file)));
  for (const file of readdirSync(bundleDir(name))) {
    if (!written.has(join(bundleDir(name), file))) rmSync(join(bundleDir(name), file), { force: true });
  }
  return result;
}

export async function buildAll(): Promise<void> {
  await Promise.all(
    FUNCTION_NAMES.map(async (name) => {
      const result = await buildFunction(name);
      // Kept outside the function folder so it is not deployed; the benchmark reads it.
      mkdirSync(DIST_META, { recursive: true });
      writeFileSync(join(DIST_META, `${name}.json`), JSON.stringify(result.metafile));
    }),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildAll();
}
