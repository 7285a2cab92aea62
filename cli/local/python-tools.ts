import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, VENV_DIR, WARDEN_DIR } from './paths.ts';

/** Pinned Python development tools (cfn-lint), installed on demand like local mode's moto. */
export const DEV_REQUIREMENTS_FILE = join(PROJECT_ROOT, 'requirements-dev.txt');

export interface EnsurePythonToolOptions {
  /** The console script, e.g. `cfn-lint`. */
  readonly command: string;
  /** Arguments that make the tool exit 0 when it works, e.g. `['--version']`. */
  readonly probe?: readonly string[];
  readonly requirementsFile?: string;
  readonly venvDir?: string;
  /** The PATH to search first; defaults to this process's. */
  readonly path?: string;
  readonly log?: (line: string) => void;
}

const logToStderr = (line: string) => process.stderr.write(`${line}\n`);
const venvBin = (venvDir: string, name: string) =>
  process.platform === 'win32' ? join(venvDir, 'Scripts', `${name}.exe`) : join(venvDir, 'bin', name);

function works(command: string, probe: readonly string[], path: string | undefined): boolean {
  const env = path === undefined ? process.env : { ...process.env, PATH: path };
  return spawnSync(command, [...probe], { stdio: 'ignore', env }).status === 0;
}

function runOrThrow(command: string, args: readonly string[], what: string, path: string | undefined): void {
  const env = path === undefined ? process.env : { ...process.env, PATH: path };
  const result = spawnSync(command, [...args], { stdio: ['ignore', 2, 2], env });
  if (result.error || result.status !== 0) {
    const reason = result.error?.message ?? `exit code ${result.status}`;
    throw new Error(`${what} failed (${reason}); it needs Python 3 with venv and pip.`);
  }
}

/**
 * The command to run a Python tool: the one on PATH when it works, otherwise the project
 * virtualenv's copy (`.warden/venv`, shared with local mode), installed from the pinned
 * requirements file on first use. A fresh machine (CI) needs only python3.
 */
export function ensurePythonTool(options: EnsurePythonToolOptions): string {
  const { command, probe = ['--version'], path, log = logToStderr } = options;
  const venvDir = options.venvDir ?? VENV_DIR;
  const requirementsFile = options.requirementsFile ?? DEV_REQUIREMENTS_FILE;
  if (works(command, probe, path)) return command;
  const installed = venvBin(venvDir, command);
  if (existsSync(installed) && works(installed, probe, path)) return installed;
  log(`${command} is not on PATH; installing ${requirementsFile} into ${venvDir} (one time)`);
  mkdirSync(WARDEN_DIR, { recursive: true });
  const python = venvBin(venvDir, 'python');
  if (!existsSync(python)) runOrThrow('python3', ['-m', 'venv', venvDir], 'Creating the virtualenv', path);
  runOrThrow(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirementsFile],
    `Installing ${command}`,
    path,
  );
  if (!works(installed, probe, path)) throw new Error(`${installed} still does not run`);
  return installed;
}

/** cfn-lint, pinned in requirements-dev.txt. */
export const ensureCfnLint = (options: Omit<EnsurePythonToolOptions, 'command'> = {}) =>
  ensurePythonTool({ command: 'cfn-lint', ...options });
