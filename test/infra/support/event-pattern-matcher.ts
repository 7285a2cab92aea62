import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./match_event_pattern.py', import.meta.url));
const PYTHONS = [fileURLToPath(new URL('../../../.warden/venv/bin/python', import.meta.url)), 'python3'];

const hasMoto = (python: string) =>
  (python === 'python3' || existsSync(python)) &&
  spawnSync(python, ['-c', 'import moto.events.models'], { stdio: 'ignore' }).status === 0;

/** A Python with moto (local mode's virtualenv, else the system one), or undefined. */
export const motoPython = PYTHONS.find(hasMoto);

/** Which of the events the pattern matches, by moto's EventBridge matcher. */
export function matchEvents(pattern: unknown, events: readonly unknown[]): boolean[] {
  if (!motoPython) throw new Error('moto is not installed');
  const run = spawnSync(motoPython, [SCRIPT], {
    input: JSON.stringify({ pattern, events }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`Pattern matcher failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as boolean[];
}
