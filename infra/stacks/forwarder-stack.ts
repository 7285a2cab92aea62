import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { type ForwardedEvents, forwardingRuleName, type ResourceNames } from '#shared/config/names.ts';
import { ROOT_EVENT_KINDS } from '#shared/events/root-event-patterns.ts';
import type { ForwarderRegion } from '../config/deployment-regions.ts';
import { hubBusArn } from '../config/forwarding.ts';
import { ownSessionArns } from '../config/own-sessions.ts';
import { tamperKindsOf } from '../config/tamper-forwarding.ts';
import { allowAlarmPublishing, failedForwardsAlarm, notifyOnAlarm } from '../constructs/alarm-topic.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { WardenKey } from '../constructs/warden-key.ts';
import { rootGuardPattern, s3AccountLevelPattern, s3GuardPattern } from '../events/cloudtrail-pattern.ts';
import { tamperPattern } from '../events/tamper-pattern.ts';

export interface ForwarderStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly homeRegion: string;
  readonly forwards: ForwarderRegion;
}

/**
 * A region without the hub: rules with the hub's own patterns send matching events to the hub's
 * default bus (same account, another region). S3 events where the region is watched; in us-east-1
 * also the IAM and sign-in events, which exist only there. Nothing is handled here; where S3 is
 * watched, Warden's key for this region's buckets lives here.
 */
export class ForwarderStack extends Stack {
  readonly rules: events.Rule[] = [];
  readonly role: iam.Role;
  readonly deadLetters: DeadLetterQueue;
  readonly alarmTopic: sns.Topic;
  /** The key s3-guard points this region's buckets at (S3 can only use a key of the bucket's region). */
  readonly bucketKey?: WardenKey;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const { names, forwards } = props;
    const hubBus = events.EventBus.fromEventBusArn(this, 'HubBus', hubBusArn(this, props.homeRegion));

    this.role = new iam.Role(this, 'ForwardingRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `Warden: forwards matching events from ${forwards.region} to the hub bus in ${props.homeRegion}`,
    });

    // CloudWatch alarms can only notify a topic in their own region; subscribe people here.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${names.prefix}-forwarder-alarms`,
      displayName: `Warden forwarder alarms (${forwards.region})`,
      enforceSSL: true,
    });
    allowAlarmPublishing(this.alarmTopic);
    NagSuppressions.addResourceSuppressions(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Carries only CloudWatch alarm state changes of this forwarder (alarm name, metric, threshold), no event ' +
          'content. CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key, and Warden keeps ' +
          'its customer-managed key in the hub region only.',
      },
    ]);
    this.deadLetters = new DeadLetterQueue(this, 'UndeliveredEvents', {
      alertTopic: this.alarmTopic,
      purpose: `events the ${forwards.region} forwarder could not deliver to the hub bus in ${props.homeRegion}`,
    });

    if (forwards.s3)
      this.bucketKey = new WardenKey(this, 'BucketKey', { alias: names.kmsKeyAlias, purpose: 'buckets' });

    const patterns: Array<[ForwardedEvents, events.EventPattern, string]> = [];
    if (forwards.s3)
      patterns.push(['s3', s3GuardPattern(ownSessionArns(this, names)), 'S3 changes s3-guard handles']);
    if (forwards.accountLevel)
      patterns.push([
        's3Account',
        s3AccountLevelPattern(ownSessionArns(this, names)),
        'account-level Block Public Access changes',
      ]);
    if (forwards.root)
      for (const kind of ROOT_EVENT_KINDS)
        patterns.push([kind, rootGuardPattern(kind), `root-guard ${kind}`]);
    // tamper-guard: the two rules on this region's Warden rules each carry the other's changes.
    const forwarded = [...patterns.map(([kind]) => kind), ...tamperKindsOf(forwards)];
    const watchedRules = {
      tamperRules: forwarded
        .filter((kind) => kind !== 'tamperRules')
        .map((kind) => forwardingRuleName(names, kind)),
      tamperRulesWatch: forwardingRuleName(names, 'tamperRules'),
    };
    for (const kind of tamperKindsOf(forwards))
      patterns.push([
        kind,
        tamperPattern(kind, { ownSessionArns: ownSessionArns(this, names), watchedRules }),
        `tamper-guard ${kind}`,
      ]);

    for (const [forwarded, eventPattern, what] of patterns) {
      this.rules.push(
        new events.Rule(this, `Forward-${forwarded}`, {
          ruleName: forwardingRuleName(names, forwarded),
          description: `Warden: forwards ${what} to the hub in ${props.homeRegion}`,
          eventPattern,
          targets: [
            new targets.EventBus(hubBus, { role: this.role, deadLetterQueue: this.deadLetters.queue }),
          ],
        }),
      );
    }

    notifyOnAlarm(
      failedForwardsAlarm(
        this,
        this.rules.map((rule) => rule.ruleName),
        `Warden: the ${forwards.region} forwarder failed to put events on the hub bus.`,
      ),
      this.alarmTopic,
    );
  }
}
