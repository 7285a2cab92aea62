/** Environment variables the stack (and local mode) give the guard functions. */
export const ENV = {
  kmsKeyArn: 'WARDEN_KMS_KEY_ARN',
  alertTopicArn: 'WARDEN_ALERT_TOPIC_ARN',
  idempotencyTable: 'WARDEN_IDEMPOTENCY_TABLE',
  auditTable: 'WARDEN_AUDIT_TABLE',
  /** Warden's own function sessions (`arn:aws:sts::<account>:assumed-role/<role>/<function>`). */
  ownSessionArns: 'WARDEN_OWN_SESSION_ARNS',
  policy: 'WARDEN_POLICY',
  /** notify-slack: the Secrets Manager secret holding the Slack incoming-webhook URL. */
  slackWebhookSecretArn: 'WARDEN_SLACK_WEBHOOK_SECRET_ARN',
  /** The sweep functions: the FIFO queue of sweep work items (one message group per account). */
  sweepQueueUrl: 'WARDEN_SWEEP_QUEUE_URL',
} as const;
