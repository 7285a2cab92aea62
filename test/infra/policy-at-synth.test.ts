import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { MAX_POLICY_ENV_BYTES } from '../../infra/config/policy-environment.ts';
import { policyFileWith, synthHub } from './support/synth-hub.ts';

const environmentOf = (template: ReturnType<typeof synthHub>['template']) => {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  return fn?.Properties.Environment.Variables as Record<string, string>;
};

describe('policy file at synth', () => {
  it('fails synth on an invalid policy, naming the offending field', () => {
    const policyFile = policyFileWith('version: 1\ncontrols:\n  s3-encryption-kms:\n    mode: sometimes\n');
    expect(() => synthHub({ policyFile })).toThrow(
      /Invalid Warden policy[\s\S]*controls\["s3-encryption-kms"\]\.mode/,
    );
  });

  it('fails synth on an unknown field, naming it', () => {
    const policyFile = policyFileWith('version: 1\ns3:\n  exemptBucket: [logs]\n');
    expect(() => synthHub({ policyFile })).toThrow(/exemptBucket/);
  });

  it('passes the validated policy, defaults applied, to the function as JSON', () => {
    const policyFile = policyFileWith(
      'version: 1\ncontrols:\n  s3-encryption-kms:\n    mode: detect\ns3:\n  exemptBuckets: [{bucket: logs-*, reason: log archive, expires: 2027-01-31}]\n',
    );
    const policy = JSON.parse(environmentOf(synthHub({ policyFile }).template)[ENV.policy] as string);
    const loaded = loadPolicyFile(policyFile);
    // The regions as resolved for the deployment (the home region alone here), which the sweep plans.
    const resolved = { ...loaded, deployment: { ...loaded.deployment, regions: ['us-east-1'] } };
    expect(policy).toEqual(JSON.parse(JSON.stringify(resolved)));
    expect(policy.controls['s3-encryption-kms']).toEqual({ mode: 'detect' });
  });

  it('gives the functions the watched regions of `-c regions`, which beat the policy file', () => {
    const policy = JSON.parse(
      environmentOf(synthHub({ context: { regions: 'us-east-1,eu-west-1' } }).template)[ENV.policy] as string,
    );

    expect(policy.deployment.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('fails synth when the policy would not fit in the function environment', () => {
    const buckets = Array.from(
      { length: 200 },
      (_, index) => `  - {bucket: some-rather-long-bucket-name-${index}, reason: r}`,
    );
    const policyFile = policyFileWith(`version: 1\ns3:\n  exemptBuckets:\n${buckets.join('\n')}\n`);
    expect(() => synthHub({ policyFile })).toThrow(
      new RegExp(`allows at most ${MAX_POLICY_ENV_BYTES}.*exemptBuckets`),
    );
  });
});

describe('cdk synth with an invalid policy', () => {
  it('exits non-zero and prints the validation message naming the field', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const policyFile = policyFileWith('version: 1\ns3:\n  approvedKmsKeyArns: [alias/mine]\n');
    const outdir = mkdtempSync(join(tmpdir(), 'warden-cdk-out-'));

    // The app alone (no bundle build): the policy is validated before any bundle is needed.
    const run = spawnSync(
      join(root, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--app', 'npx tsx infra/app.ts', '-c', `policyFile=${policyFile}`, '-o', outdir],
      { cwd: root, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Invalid Warden policy[\s\S]*s3\.approvedKmsKeyArns\[0\]/);
    expect(run.stderr).not.toMatch(/at .*warden-app\.ts/);
  });
});
