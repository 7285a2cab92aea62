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
    expect(policy.s3.exemptBuckets).toEqual([
      { bucket: 'cdk-hnb659fds-assets-{account}-{region}', reason: expect.stringContaining('CDK bootstrap') },
    ]);
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
      s3: {
        approvedKmsKeyArns: [],
        exemptBuckets: [],
        allowedAccountIds: [],
        allowedOrganizationIds: [],
        trustedVpcEndpointIds: [],
        trustedVpcIds: [],
        trustedSourceIpCidrs: [],
      },
      fights: { repairs: 3, windowMinutes: 10, coolDownMinutes: 60 },
      securityHub: { enabled: false },
      sweep: { enabled: true, schedule: 'rate(1 day)', accountsInParallel: 10, bucketsInParallel: 5 },
      tamper: { trails: [] },
    });
  });

  it.each([['rate(1 day)'], ['rate(12 hours)'], ['cron(0 3 * * ? *)']])(
    'accepts the sweep schedule %s',
    (schedule) => {
      expect(parsePolicy({ version: 1, sweep: { schedule } }, 'test').sweep.schedule).toBe(schedule);
    },
  );

  it.each([['daily'], ['rate(1 fortnight)'], ['cron()']])(
    'refuses the sweep schedule %s, naming the field',
    (schedule) => {
      expect(() => parsePolicy({ version: 1, sweep: { schedule } }, 'test')).toThrow(/sweep\.schedule/);
    },
  );

  it('refuses more than 20 buckets in parallel per account, naming the field', () => {
    expect(() => parsePolicy({ version: 1, sweep: { bucketsInParallel: 50 } }, 'test')).toThrow(
      /sweep\.bucketsInParallel/,
    );
  });

  it('refuses a securityHub.enabled that is not a boolean, naming the field', () => {
    expect(() => parsePolicy({ version: 1, securityHub: { enabled: 'yes' } }, 'test')).toThrow(
      /securityHub\.enabled/,
    );
  });

  it('accepts JSON as well as YAML', () => {
    const path = writePolicy(
      '{"version": 1, "s3": {"exemptBuckets": [{"bucket": "logs", "reason": "log archive"}]}}',
      'policy.json',
    );

    expect(loadPolicyFile(path).s3.exemptBuckets).toEqual([{ bucket: 'logs', reason: 'log archive' }]);
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
    [
      'an exempt glob with a reversed range',
      'version: 1\ns3:\n  exemptBuckets: [{bucket: "logs-[z-a]*", reason: r}]\n',
      's3.exemptBuckets[0].bucket',
    ],
    [
      'an exempt glob with an unknown placeholder',
      'version: 1\ns3:\n  exemptBuckets: [{bucket: logs, reason: r}, {bucket: "cdk-{qualifier}-assets-{account}", reason: r}]\n',
      's3.exemptBuckets[1].bucket',
    ],
    [
      'a trusted VPC endpoint that is not a vpce- id',
      'version: 1\ns3:\n  trustedVpcEndpointIds: [vpc-1a2b3c4d]\n',
      's3.trustedVpcEndpointIds[0]',
    ],
    [
      'a trusted VPC that is not a vpc- id',
      'version: 1\ns3:\n  trustedVpcIds: [vpce-1a2b3c4d]\n',
      's3.trustedVpcIds[0]',
    ],
    [
      'a trusted IP range with an invalid prefix',
      'version: 1\ns3:\n  trustedSourceIpCidrs: [10.0.0.0/8, 10.0.0.0/33]\n',
      's3.trustedSourceIpCidrs[1]',
    ],
    [
      'a trusted IP range that is no CIDR block',
      'version: 1\ns3:\n  trustedSourceIpCidrs: [10.0.0.1]\n',
      's3.trustedSourceIpCidrs[0]',
    ],
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

  it('names the problem of an exempt glob the guard could not compile', () => {
    const path = writePolicy('version: 1\ns3:\n  exemptBuckets: [{bucket: "logs-[z-a]*", reason: r}]\n');

    expect(() => loadPolicyFile(path)).toThrow(/not a valid glob[\s\S]*s3\.exemptBuckets\[0\]\.bucket/);
  });

  it('accepts placeholders and legacy bucket names in exempt buckets', () => {
    const path = writePolicy(
      'version: 1\ns3:\n  exemptBuckets:\n    - bucket: cdk-hnb659fds-assets-{account}-{region}\n      reason: r\n    - {bucket: My_Legacy.Bucket, reason: r}\n',
    );

    expect(loadPolicyFile(path).s3.exemptBuckets.map((exemption) => exemption.bucket)).toEqual([
      'cdk-hnb659fds-assets-{account}-{region}',
      'My_Legacy.Bucket',
    ]);
  });

  it('accepts trusted VPC endpoints, VPCs and IP ranges', () => {
    const path = writePolicy(
      [
        'version: 1',
        's3:',
        '  trustedVpcEndpointIds: [vpce-1a2b3c4d, vpce-0123456789abcdef0]',
        '  trustedVpcIds: [vpc-1a2b3c4d]',
        '  trustedSourceIpCidrs: [203.0.113.0/24, "2001:db8::/32"]',
        '',
      ].join('\n'),
    );

    expect(loadPolicyFile(path).s3).toMatchObject({
      trustedVpcEndpointIds: ['vpce-1a2b3c4d', 'vpce-0123456789abcdef0'],
      trustedVpcIds: ['vpc-1a2b3c4d'],
      trustedSourceIpCidrs: ['203.0.113.0/24', '2001:db8::/32'],
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
