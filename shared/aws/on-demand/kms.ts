/**
 * What s3-guard uses of KMS (the state of Warden's key), loaded with `import()` by the events whose
 * controls read that key (encryption changes, new buckets): the bundle keeps it off the cold start.
 */
export { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
