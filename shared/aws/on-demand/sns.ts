/**
 * What the guards use of SNS (publishing an alert), loaded with `import()` by the first event that
 * alerts: most events are compliant changes, and an alert follows the repair anyway.
 */
export { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
