import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/errors/errors.ts';
import { loadPolicyFile, parsePolicy } from '#shared/policy/load-policy.ts';

function writePolicy(text: string, name = 'warden.policy.yaml'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'warden-policy-')), name);
  writeFileSync(path, text);
  return path;
}

describe('policy file', () => {
  it('loads the repository policy', () => {
    const policy = loadPolicyFile('warden.policy.yaml');

    expect(policy.controls['s3-encryption-kms']?.mode).toBe('enforce');
    expect(policy.s3.exemptBuckets).toContain('cdk-*-assets-*');
  });

  it('fills defaults for a minimal policy', () => {
    expect(parsePolicy({ version: 1 }, 'test')).toEqual({
      version: 1,
      deployment: {
        mode: 'account',
        organization: { targetOrganizationalUnitIds: [], regions: [], memberRoleName: 'warden-remediation' },
        createTrail: false,
      },
      controls: {},
      s3: { approvedKmsKeyArns: [], exemptBuckets: [], allowedAccountIds: [], allowedOrganizationIds: [] },
    });
  });

  it('accepts JSON as well as YAML', () => {
    const path = writePolicy('{"version": 1, "s3": {"exemptBuckets": ["logs"]}}', 'policy.json');

    expect(loadPolicyFile(path).s3.exemptBuckets).toEqual(['logs']);
  });

  it.each([
    [
      'an unknown mode',
      'version: 1\ncontrols:\n  s3-encryption-kms:\n    mode: fix\n',
      'controls["s3-encryption-kms"].mode',
    ],
    ['an unknown control', 'version: 1\ncontrols:\n  s3-encryption:\n    mode: enforce\n', 'controls'],
    [
      'an alias as approved key',
      'version: 1\ns3:\n  approvedKmsKeyArns: [alias/mine]\n',
      's3.approvedKmsKeyArns[0]',
    ],
    ['a misspelt field', 'version: 1\ns3:\n  exemptBucket: [x]\n', 'exemptBucket'],
    [
      'an allowed account id that is not 12 digits',
      'version: 1\ns3:\n  allowedAccountIds: ["12345"]\n',
      's3.allowedAccountIds[0]',
    ],
    [
      'an allowed organization that is not an o- id',
      'version: 1\ns3:\n  allowedOrganizationIds: [r-abcd]\n',
      's3.allowedOrganizationIds[0]',
    ],
    ['a missing version', 's3: {}\n', 'version'],
  ])('rejects %s and names the field', (_label, text, field) => {
    const path = writePolicy(text);

    expect(() => loadPolicyFile(path)).toThrow(ConfigError);
    expect(() => loadPolicyFile(path)).toThrow(field);
  });

  it('accepts allowed accounts and organizations for the foreign-access control', () => {
    const path = writePolicy(
      'version: 1\ns3:\n  allowedAccountIds: ["111122223333"]\n  allowedOrganizationIds: [o-a1b2c3d4e5]\n',
    );

    expect(loadPolicyFile(path).s3).toMatchObject({
      allowedAccountIds: ['111122223333'],
      allowedOrganizationIds: ['o-a1b2c3d4e5'],
    });
  });

  it('reports a file that is not YAML', () => {
    expect(() => loadPolicyFile(writePolicy('version: [1'))).toThrow('not valid YAML/JSON');
  });

  it('reports a missing file', () => {
    expect(() => loadPolicyFile('/nonexistent/warden.policy.yaml')).toThrow(
      'Cannot read the Warden policy file',
    );
  });
});
