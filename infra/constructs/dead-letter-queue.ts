import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { notifyOnAlarm } from './alarm-topic.ts';

export interface DeadLetterQueueProps {
  /** Warden's key; in a forwarder region (no Warden key there) SQS-managed encryption instead. */
  readonly encryptionKey?: kms.IKey;
  readonly alertTopic: sns.ITopic;
  /** What ends up here, for the alarm description. */
  readonly purpose: string;
  /** The dead-letter queue of a FIFO queue must be FIFO too. */
  readonly fifo?: boolean;
}

/**
 * An encrypted, TLS-only SQS queue for events Warden failed to handle, with an alarm on the
 * first message: a dead-lettered event is a change nobody checked.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      ...(props.fifo ? { fifo: true } : {}),
      // The maximum: time to investigate and redrive by hand.
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue; its depth alarm is the escalation path.',
      },
    ]);
    this.alarm = notifyOnAlarm(
      new cloudwatch.Alarm(this, 'DepthAlarm', {
        alarmDescription: `Warden: ${props.purpose} are waiting in a dead-letter queue. Inspect and redrive them.`,
        metric: this.queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alertTopic,
    );
  }
}
