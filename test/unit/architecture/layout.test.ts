import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#shared/config/names.ts';

/*
 * The layout rules of ARCHITECTURE.md and issue 12, checked on the source itself so they stay true:
 * contracts at the bottom, pure controls, no folder-level import cycle, files a reader can see whole.
 */
const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'));
const SOURCE_FOLDERS = ['shared', 'functions', 'cli', 'infra'];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)(?:\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const FILES = SOURCE_FOLDERS.flatMap(sourceFiles);

/** The import specifiers of a file: Warden paths resolved to repository paths, packages as written. */
function importsOf(file: string): { readonly local: string[]; readonly packages: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? '';
    if (spec.startsWith('#shared/')) local.push(join('shared', spec.slice('#shared/'.length)));
    else if (spec.startsWith('.')) local.push(normalize(join(dirname(file), spec)));
    else packages.push(spec);
  }
  return { local, packages };
}

/** `shared/guard/pipeline.ts` → `shared/guard`; `infra/stacks/hub.ts` → `infra/stacks`; `cli/main.ts` → `cli`. */
function folderOf(file: string): string {
  const [top, second] = file.split('/');
  return second && !second.endsWith('.ts') ? `${top}/${second}` : (top ?? file);
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of FILES) {
    const from = folderOf(file);
    for (const target of importsOf(file).local) {
      const to = folderOf(target);
      if (to === from) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** Every folder from which `start` can be reached again, i.e. the cycles through it. */
function cycleThrough(graph: Map<string, Set<string>>, start: string): string[] | undefined {
  const path: string[] = [];
  const seen = new Set<string>();
  const visit = (node: string): boolean => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  return visit(start) ? [start, ...path, start] : undefined;
}

/** The Warden files a file loads, directly or through other Warden files. */
function reachable(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const stack = [file];
  while (stack.length > 0) {
    for (const target of importsOf(stack.pop() as string).local) {
      if (!seen.has(target) && FILES.includes(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return seen;
}

describe('source layout', () => {
  it('finds the source files it checks', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain('shared/guard/pipeline.ts');
  });

  it('has no folder-level import cycle', () => {
    const graph = folderGraph();
    const cycles = [...graph.keys()].flatMap((folder) => cycleThrough(graph, folder)?.join(' -> ') ?? []);
    expect(cycles).toEqual([]);
  });

  it('keeps the contracts at the bottom: they import nothing of Warden', () => {
    const contracts = FILES.filter((file) => file.startsWith('shared/contracts/'));
    expect(contracts.length).toBeGreaterThan(0);
    const outside = contracts.flatMap((file) =>
      importsOf(file)
        .local.filter((target) => !target.startsWith('shared/contracts/'))
        .map((target) => `${file} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('keeps the controls and the model SDK-free, through every Warden file they load', () => {
    const pure = FILES.filter((file) => /^shared\/(controls|model|contracts)\//.test(file));
    const sdk = pure.flatMap((file) =>
      [...reachable(file)].flatMap((loaded) =>
        importsOf(loaded)
          .packages.filter((name) => name.startsWith('@aws-sdk/'))
          .map((name) => `${file} loads ${loaded}: ${name}`),
      ),
    );
    expect(sdk).toEqual([]);
  });

  it('has no source file over 300 lines in functions/ or shared/', () => {
    const long = FILES.filter((file) => /^(functions|shared)\//.test(file))
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > 300)
      .map(({ file, lines }) => `${relative(ROOT, join(ROOT, file))}: ${lines}`);
    expect(long).toEqual([]);
  });

  it('keeps each function entry point thin', () => {
    const entries = FILES.filter((file) => /^functions\/[^/]+\/index\.ts$/.test(file));
    // One entry per deployed function (shared/config/names.ts).
    expect(entries.map((file) => file.split('/')[1]).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const file of entries)
      expect(readFileSync(join(ROOT, file), 'utf8').split('\n').length).toBeLessThanOrEqual(40);
  });
});
