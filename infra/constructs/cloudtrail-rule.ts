import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/**
 * EventBridge only retries when it cannot deliver (throttling, Lambda unavailable); function
 * errors are the function's own async retries. Deliveries are cheap, so retry generously.
 */
export const RULE_TARGET_RETRY_ATTEMPTS = 8;
export const RULE_TARGET_MAX_EVENT_AGE = Duration.hours(2);

export interface CloudTrailRuleProps {
  readonly description: string;
  readonly eventPattern: events.EventPattern;
  readonly target: lambda.IFunction;
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
}

/** A default-bus rule for CloudTrail events, delivering to one function with its own DLQ. */
export class CloudTrailRule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: CloudTrailRuleProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'UndeliveredEvents', {
      encryptionKey: props.encryptionKey,
      alertTopic: props.alarmTopic,
      purpose: `events EventBridge could not deliver to ${props.target.functionName}`,
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      eventPattern: props.eventPattern,
      targets: [
        new targets.LambdaFunction(props.target, {
          retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
          maxEventAge: RULE_TARGET_MAX_EVENT_AGE,
          deadLetterQueue: this.deadLetters.queue,
        }),
      ],
    });
  }
}
