import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: local mode always works relative to it, whatever the caller's cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Local-mode state (gitignored): the emulator's pid and log, the provisioned config, the venv. */
export const WARDEN_DIR = join(PROJECT_ROOT, '.warden');
export const LOCAL_CONFIG_FILE = join(WARDEN_DIR, 'local.json');
export const MOTO_PID_FILE = join(WARDEN_DIR, 'moto.pid');
export const MOTO_LOG_FILE = join(WARDEN_DIR, 'moto.log');
export const VENV_DIR = join(WARDEN_DIR, 'venv');
export const REQUIREMENTS_FILE = join(PROJECT_ROOT, 'requirements-local.txt');
