import { WardenError } from '#shared/errors/errors.ts';

/** A bucket policy that cannot be read as an IAM policy document. Terminal: the same input never parses. */
export class InvalidPolicyError extends WardenError {
  readonly retryable = false;
}

/** An ACL (grant list, canned ACL or grant header) that cannot be read. Terminal. */
export class InvalidAclError extends WardenError {
  readonly retryable = false;
}
