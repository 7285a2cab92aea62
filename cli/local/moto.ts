import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LocalModeError } from './local-mode-error.ts';
import { MOTO_LOG_FILE, MOTO_PID_FILE, REQUIREMENTS_FILE, VENV_DIR, WARDEN_DIR } from './paths.ts';

export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:5055';
const LOCAL_HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  readonly port: number;
  /** Detached: outlives this process (`warden local up`); its pid goes to `.warden/moto.pid`. */
  readonly detached?: boolean;
  readonly log?: (line: string) => void;
}

const logToStderr = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the OS considers free right now (another process could still take it before moto binds). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOCAL_HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new LocalModeError('Could not determine a free port')),
      );
    });
  });
}

/** True when anything answers HTTP at the endpoint (moto, or another emulator the user runs). */
export async function isEndpointAnswering(endpoint: string): Promise<boolean> {
  try {
    await fetch(new URL('/moto-api/', endpoint), { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

const venvPython = () =>
  process.platform === 'win32' ? join(VENV_DIR, 'Scripts', 'python.exe') : join(VENV_DIR, 'bin', 'python');

function canImportMotoServer(python: string): boolean {
  // `moto.server` needs the [server] extra (flask), which a bare `import moto` would not prove.
  return spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
}

function runOrThrow(command: string, args: readonly string[], what: string): void {
  // Progress goes to stderr so stdout stays machine-readable.
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2] });
  if (result.error || result.status !== 0) {
    const reason = result.error?.message ?? `exit code ${result.status}`;
    throw new LocalModeError(`${what} failed (${reason}). Local mode needs Python 3 with venv and pip.`);
  }
}

/**
 * The Python interpreter that can run moto server: the system `python3` when it has moto,
 * otherwise a project-local virtualenv with the pinned moto from requirements-local.txt.
 */
export function ensurePythonMoto(log: (line: string) => void = logToStderr): string {
  if (canImportMotoServer('python3')) return 'python3';
  const python = venvPython();
  if (existsSync(python) && canImportMotoServer(python)) return python;
  log(`moto is not installed for python3; installing ${REQUIREMENTS_FILE} into ${VENV_DIR} (one time)`);
  mkdirSync(WARDEN_DIR, { recursive: true });
  runOrThrow('python3', ['-m', 'venv', VENV_DIR], 'Creating the virtualenv');
  runOrThrow(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', REQUIREMENTS_FILE],
    'Installing moto',
  );
  if (!canImportMotoServer(python))
    throw new LocalModeError(`moto server is still not importable by ${python}`);
  return python;
}

/** Keeps the tail of a child's output for error messages, and drains the pipe so moto never blocks on it. */
function captureTail(child: ChildProcess, limit = 4_000): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalModeError(
        `moto server exited during start-up (${child.exitCode ?? child.signalCode}):\n${output()}`,
      );
    }
    if (await isEndpointAnswering(endpoint)) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new LocalModeError(
    `moto server did not answer at ${endpoint} within ${START_TIMEOUT_MS / 1000}s:\n${output()}`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts moto server on 127.0.0.1:<port> and resolves once it answers HTTP. */
export async function startMoto({
  port,
  detached = false,
  log = logToStderr,
}: StartMotoOptions): Promise<MotoServer> {
  const python = ensurePythonMoto(log);
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const args = ['-m', 'moto.server', '-H', LOCAL_HOST, '-p', String(port)];
  let child: ChildProcess;
  let output: () => string;
  if (detached) {
    mkdirSync(WARDEN_DIR, { recursive: true });
    const logFd = openSync(MOTO_LOG_FILE, 'a');
    child = spawn(python, args, { detached: true, stdio: ['ignore', logFd, logFd] });
    output = () => `(see ${MOTO_LOG_FILE})`;
  } else {
    child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    output = captureTail(child);
  }
  const pid = child.pid;
  if (pid === undefined) throw new LocalModeError(`Could not spawn ${python} -m moto.server`);
  await waitUntilAnswering(endpoint, child, output);
  if (detached) {
    writeFileSync(MOTO_PID_FILE, JSON.stringify({ pid, endpoint }));
    child.unref();
  }
  return { endpoint, pid, stop: () => stopChild(child) };
}

interface PidFile {
  readonly pid: number;
  readonly endpoint: string;
}

function readPidFile(): PidFile | undefined {
  if (!existsSync(MOTO_PID_FILE)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(MOTO_PID_FILE, 'utf8')) as Partial<PidFile>;
    return typeof parsed.pid === 'number' && typeof parsed.endpoint === 'string'
      ? { pid: parsed.pid, endpoint: parsed.endpoint }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Guards against a stale pid file whose pid now belongs to another program (Linux only; elsewhere trusted). */
function looksLikeMoto(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || readFileSync(cmdline, 'utf8').includes('moto');
}

/** Stops the emulator `warden local up` started, if any. Returns its endpoint when one was stopped. */
export async function stopDetachedMoto(): Promise<string | undefined> {
  const started = readPidFile();
  rmSync(MOTO_PID_FILE, { force: true });
  if (!started || !isAlive(started.pid) || !looksLikeMoto(started.pid)) return undefined;
  process.kill(started.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(started.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(started.pid)) process.kill(started.pid, 'SIGKILL');
  return started.endpoint;
}
