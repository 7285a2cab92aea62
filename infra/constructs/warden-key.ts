import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface WardenKeyProps {
  readonly alias: string;
  /**
   * `buckets`: the key Warden points buckets at, one per account and region (S3 can only use a key
   * of the bucket's own region, and a key of another account only with grants in both accounts).
   * `internal`: the hub's key for Warden's own topic, queues, tables and secret. Kept apart, so that
   * whoever disables the bucket key (the fault Warden must report) does not also silence the alerts.
   */
  readonly purpose: 'buckets' | 'internal';
}

/** AWS services that write to Warden's encrypted topic and queues with their own principal. */
const SERVICES_USING_THE_KEY = [
  // alarm actions publish to the encrypted alert topic
  'cloudwatch.amazonaws.com',
  // rule targets dead-letter into the encrypted queue
  'events.amazonaws.com',
  // the alert topic delivers to encrypted queue subscriptions
  'sns.amazonaws.com',
];

/**
 * A Warden customer-managed key, rotation on, retained with the stack: for buckets (every Warden
 * bucket key has the same alias in its account and region, which is how s3-guard finds it) or for
 * Warden's own resources. The account administers it (the CDK default policy, which also lets IAM
 * policies grant its use: the guard roles get narrow grants that way).
 */
export class WardenKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: WardenKeyProps) {
    super(scope, id);
    const { account, region } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      alias: props.alias,
      description:
        props.purpose === 'internal'
          ? 'Warden: its own alert topic, queues, tables and secret'
          : 'Warden: default encryption of remediated S3 buckets in this account and region',
      enableKeyRotation: true,
      // Buckets (or the audit table) encrypted with this key become unreadable if it is deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.purpose === 'internal') {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowWardenServicePrincipalsInThisAccount',
          principals: SERVICES_USING_THE_KEY.map((service) => new iam.ServicePrincipal(service)),
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
      return;
    }

    // Like the AWS managed aws/s3 key: anyone in this account may use the key, but only
    // through S3, so objects in remediated buckets stay readable and writable for their users.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3BucketEncryptionInThisAccount',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `s3.${region}.amazonaws.com`,
            'kms:CallerAccount': account,
          },
        },
      }),
    );
  }
}
