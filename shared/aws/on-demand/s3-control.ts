/**
 * What Warden uses of S3 Control (account-level Block Public Access), loaded with `import()` only
 * by the rare event that needs it: the bundle keeps it in a chunk apart, off the cold start.
 */
export {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
