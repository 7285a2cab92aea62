import { WardenError } from '#shared/errors/errors.ts';

/**
 * Slack refused the message for good (404 no_service, 410 channel_is_archived, 403 action_prohibited,
 * 400 invalid_blocks...): sending it again gives the same answer, so it is counted, not retried.
 */
export class PermanentDeliveryError extends WardenError {
  readonly retryable = false;
  constructor(
    message: string,
    readonly status: number,
    /** Slack's error code from the response body, e.g. `no_service`. */
    readonly slackError: string,
  ) {
    super(message);
  }

  /** The webhook itself is dead (revoked, or its channel gone): a rotated secret may fix it. */
  get webhookGone(): boolean {
    return this.status === 403 || this.status === 404 || this.status === 410;
  }
}

/** Slack kept failing (5xx, 429, timeouts) until Warden ran out of attempts or time: retry later. */
export class SlackUnavailableError extends WardenError {
  readonly retryable = true;
}

/**
 * The webhook secret is missing, empty or not a URL. Retryable so the alert waits in the queue (and
 * then the DLQ) while someone fills the secret, instead of being dropped.
 */
export class WebhookSecretError extends WardenError {
  readonly retryable = true;
}

/** The shared message budget answered something other than a count: treated like an unreachable budget. */
export class SlackBudgetError extends WardenError {
  readonly retryable = true;
}
