import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface WardenTrailProps {
  /** The trail's name: fixed, because the bucket and key policies name the trail ARN. */
  readonly trailName: string;
  /** Set for an organization trail (created in the management account): covers every member account. */
  readonly organizationId?: string;
}

/**
 * Warden's prerequisite when no trail exists: a multi-region trail of management events (an
 * organization trail in organization mode) with log file validation, writing to a private,
 * versioned, TLS-only bucket encrypted with a key of its own (CloudTrail encrypts with it too).
 */
export class WardenTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: WardenTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailArn = stack.formatArn({
      service: 'cloudtrail',
      resource: 'trail',
      resourceName: props.trailName,
    });

    this.key = new kms.Key(this, 'Key', {
      description: `Warden: encrypts the log files of the ${props.trailName} trail`,
      enableKeyRotation: true,
      // Logs written with it stay readable only while it exists.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisTrail,
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({
              service: 'cloudtrail',
              region: '*',
              resource: 'trail',
              resourceName: '*',
            }),
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      // Audit evidence outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'This bucket holds CloudTrail log files, which are themselves the access record; it is private, versioned, ' +
          'TLS-only and KMS-encrypted, and log file validation detects any change to a delivered file.',
      },
    ]);

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      ...(props.organizationId ? { isOrganizationTrail: true, orgId: props.organizationId } : {}),
    });
    pinBucketStatementsToTrail(this.bucket, trailArn);
    NagSuppressions.addResourceSuppressions(this.trail, [
      {
        id: 'AwsSolutions-CT1',
        reason: 'Not applicable: this construct is the trail; CT1 flags stacks without one.',
      },
    ]);
  }
}

/**
 * CloudTrail's statements in the bucket policy (the ACL check and the log writes aws-cdk-lib adds) name
 * the service principal without a source condition: any account's trail could then write there (the
 * confused deputy AWS warns about, which Warden's own foreign-access control reports). Each gets
 * `aws:SourceArn` = this trail, as AWS's CloudTrail bucket policy examples do.
 */
function pinBucketStatementsToTrail(bucket: s3.Bucket, trailArn: string): void {
  const policy = bucket.policy;
  if (!policy) return;
  const stack = Stack.of(bucket);
  const statements =
    (stack.resolve(policy.document) as { Statement?: Record<string, unknown>[] }).Statement ?? [];
  statements.forEach((statement, index) => {
    const principal = (statement.Principal as { Service?: unknown } | undefined)?.Service;
    const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const pinned = Object.values(conditions).some((clause) => 'aws:SourceArn' in clause);
    if (principal !== 'cloudtrail.amazonaws.com' || pinned) return;
    (policy.node.defaultChild as s3.CfnBucketPolicy).addPropertyOverride(
      `PolicyDocument.Statement.${index}.Condition.StringEquals.aws:SourceArn`,
      stack.resolve(trailArn),
    );
  });
}
