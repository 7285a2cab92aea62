/**
 * What the guards use of STS for member accounts (organization mode), loaded with `import()` on the
 * first member account's event: the bundle keeps it in a chunk apart, off the cold start.
 */
export { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
