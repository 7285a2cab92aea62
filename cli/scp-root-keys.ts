/**
 * The preventive guardrail for root access keys: an SCP that denies `iam:CreateAccessKey` to root
 * principals in every member account. Warden prints it; people attach it (Warden never changes
 * Organizations policies). SCPs do not apply to the management account.
 */
export const ROOT_KEYS_SCP_NAME = 'warden-deny-root-access-keys';

export function rootKeysScp(): string {
  const policy = {
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
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

export function rootKeysScpInstructions(policyFile = 'deny-root-access-keys.json'): string {
  return [
    `Save the policy above as ${policyFile}, then attach it as a service control policy (SCP).`,
    'Run these in the organization management account (or an account delegated for Organizations policies).',
    '',
    'Console: AWS Organizations → Policies → Service control policies → Create policy,',
    `  name it ${ROOT_KEYS_SCP_NAME}, paste the JSON, then Targets → Attach to the root or the OUs to cover.`,
    '',
    'CLI:',
    `  aws organizations create-policy --type SERVICE_CONTROL_POLICY --name ${ROOT_KEYS_SCP_NAME} \\`,
    `    --description "Deny access key creation by the root user (Warden)" --content file://${policyFile}`,
    '  aws organizations list-roots --query "Roots[0].Id" --output text',
    '  aws organizations attach-policy --policy-id <p-... from create-policy> --target-id <r-... or ou-...>',
    '',
    'Notes:',
    '  - SCPs must be enabled: aws organizations enable-policy-type --root-id <r-...> --policy-type SERVICE_CONTROL_POLICY',
    '  - SCPs never apply to the management account; its root user needs MFA and no access keys by process.',
    '  - Existing root access keys are not removed by the SCP: root-guard deletes them (organization mode).',
    '  - Warden does not attach this policy itself.',
    '',
  ].join('\n');
}
