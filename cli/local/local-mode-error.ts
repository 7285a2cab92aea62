import { WardenError } from '#shared/errors/errors.ts';

/** Local mode cannot proceed: the emulator will not start, is unreachable, or was never provisioned. */
export class LocalModeError extends WardenError {
  readonly retryable = false;
}
