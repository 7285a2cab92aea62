import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type FunctionName, type ResourceNames, resourceNames } from '#shared/config/names.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { ownRoleArns } from '../config/own-role-arns.ts';
import { policyEnvironmentValue } from '../config/policy-environment.ts';
import { CloudTrailRule } from '../constructs/cloudtrail-rule.ts';
import { GuardFunction } from '../constructs/guard-function.ts';
import { StateTables } from '../constructs/state-tables.ts';
import { WardenKey } from '../constructs/warden-key.ts';
import { S3_GUARD_EVENT_NAMES } from '../events/cloudtrail-pattern.ts';

/** Read and write exactly the bucket settings s3-guard's controls check and fix. */
export const S3_GUARD_BUCKET_ACTIONS = [
  's3:GetEncryptionConfiguration',
  's3:PutEncryptionConfiguration',
  's3:GetBucketPublicAccessBlock',
  's3:PutBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketOwnershipControls',
] as const;

export interface HubStackProps extends StackProps {
  /** The validated policy file (see infra/app.ts). */
  readonly policy: Policy;
  readonly names?: ResourceNames;
  /** Bundle folders by function; defaults to the `npm run build` output in dist/functions. */
  readonly bundleDirs?: Partial<Record<FunctionName, string>>;
}

/** The hub: Warden's key, alert topic, state tables, guard functions and their EventBridge rules. */
export class HubStack extends Stack {
  readonly key: WardenKey;
  readonly alertTopic: sns.Topic;
  readonly tables: StateTables;
  readonly s3Guard: GuardFunction;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const names = props.names ?? resourceNames();
    // Serialised first: an oversized policy fails synth before anything else is built.
    const serialisedPolicy = policyEnvironmentValue(props.policy);
    const ignoredRoleArns = ownRoleArns(this, names);

    this.key = new WardenKey(this, 'Key', { alias: names.kmsKeyAlias });
    const key = this.key.key;
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      topicName: names.alertTopic,
      displayName: 'Warden alerts',
      masterKey: key,
      enforceSSL: true,
    });
    this.tables = new StateTables(this, 'State', { names, encryptionKey: key });

    this.s3Guard = new GuardFunction(this, 'S3Guard', {
      name: 's3-guard',
      names,
      encryptionKey: key,
      alarmTopic: this.alertTopic,
      bundleDir: props.bundleDirs?.['s3-guard'],
    })
      .bindKmsKey(key)
      .bindAlertTopic(this.alertTopic, key)
      .bindIdempotencyTable(this.tables.idempotency, key)
      .bindAuditTable(this.tables.audit, key)
      .bindOwnRoleArns(ignoredRoleArns)
      .bindPolicy(serialisedPolicy)
      .allowOnEveryBucket(S3_GUARD_BUCKET_ACTIONS);

    new CloudTrailRule(this, 'S3GuardEvents', {
      description: 'Warden s3-guard: bucket encryption and Block Public Access changes',
      source: 'aws.s3',
      eventSource: 's3.amazonaws.com',
      eventNames: S3_GUARD_EVENT_NAMES,
      ignoredRoleArns,
      target: this.s3Guard.function,
      encryptionKey: key,
      alarmTopic: this.alertTopic,
    });

    new CfnOutput(this, 'KmsKeyArn', { value: key.keyArn, description: 'Warden customer-managed key' });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topicArn, description: 'Subscribe here' });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.tables.idempotency.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.tables.audit.tableName });
  }
}
