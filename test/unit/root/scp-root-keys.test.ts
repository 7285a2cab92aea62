import { describe, expect, it } from 'vitest';
import { rootKeysScp, rootKeysScpInstructions } from '../../../cli/scp-root-keys.ts';

describe('warden scp root-keys', () => {
  it('denies iam:CreateAccessKey to every root principal and nothing else', () => {
    const policy = JSON.parse(rootKeysScp());

    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyRootAccessKeyCreation',
          Effect: 'Deny',
          Action: 'iam:CreateAccessKey',
          Resource: '*',
          Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
        },
      ],
    });
  });

  it('stays under the 5,120-character SCP size limit', () => {
    expect(rootKeysScp().length).toBeLessThan(5_120);
  });

  it('explains how to create and attach it in the console and with the CLI', () => {
    const text = rootKeysScpInstructions('scp.json');

    expect(text).toContain('aws organizations create-policy --type SERVICE_CONTROL_POLICY');
    expect(text).toContain('--content file://scp.json');
    expect(text).toContain('aws organizations attach-policy');
    expect(text).toContain('Service control policies');
    expect(text).toContain('Warden does not attach this policy itself');
  });
});
