import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthHub } from './support/synth-hub.ts';

// cfn-lint exit code bits: 2 = error, 4 = warning, 8 = informational.
const ERROR_OR_WARNING = 2 | 4;

describe('cfn-lint', () => {
  it('finds no error or warning in the synthesized hub template', () => {
    const { template } = synthHub();
    const file = join(mkdtempSync(join(tmpdir(), 'warden-cfn-')), 'hub.template.json');
    writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));

    const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', file], { encoding: 'utf8' });

    expect(run.error, 'cfn-lint must be installed (pip install cfn-lint)').toBeUndefined();
    expect(run.status === null ? -1 : run.status & ERROR_OR_WARNING, run.stdout + run.stderr).toBe(0);
  });
});
