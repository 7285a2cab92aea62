import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ensureCfnLint } from '../../cli/local/python-tools.ts';
import { synthApp } from './support/synth-hub.ts';

// cfn-lint exit code bits: 2 = error, 4 = warning, 8 = informational.
const ERROR_OR_WARNING = 2 | 4;

describe('cfn-lint', () => {
  // On PATH, else installed from requirements-dev.txt into .warden/venv: never skipped.
  const cfnLint = ensureCfnLint();
  const { hub, forwarders } = synthApp({
    env: { account: '123456789012' },
    context: { homeRegion: 'eu-west-1', regions: 'eu-west-1,eu-central-1,us-east-1' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'warden-cfn-'));

  it.each([hub, ...forwarders].map((stack) => [stack.node.id, stack] as const))(
    'finds no error or warning in %s, linted for its region',
    (id, stack) => {
      const file = join(dir, `${id}.template.json`);
      writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));

      const run = spawnSync(cfnLint, ['--format', 'parseable', '--regions', stack.region, '--', file], {
        encoding: 'utf8',
      });

      expect(run.error, `${cfnLint} did not run`).toBeUndefined();
      expect(run.status === null ? -1 : run.status & ERROR_OR_WARNING, run.stdout + run.stderr).toBe(0);
    },
  );
});
