/**
 * What the guards use of Security Hub (importing findings), loaded with `import()` by the first event
 * that has a finding to import, and only when the policy turns Security Hub on: off the cold start.
 */
export { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
