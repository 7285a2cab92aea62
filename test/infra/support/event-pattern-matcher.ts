import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePythonMoto } from '../../../cli/local/moto.ts';

const SCRIPT = fileURLToPath(new URL('./match_event_pattern.py', import.meta.url));

let python: string | undefined;

/**
 * A Python with moto: the system one when it has moto, else local mode's virtualenv, installed
 * from requirements-local.txt on first use. Never a silent skip: a fresh machine gets moto.
 */
export function motoPython(): string {
  python ??= ensurePythonMoto();
  return python;
}

/** Which of the events the pattern matches, by moto's EventBridge matcher. */
export function matchEvents(pattern: unknown, events: readonly unknown[]): boolean[] {
  const run = spawnSync(motoPython(), [SCRIPT], {
    input: JSON.stringify({ pattern, events }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`Pattern matcher failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as boolean[];
}
