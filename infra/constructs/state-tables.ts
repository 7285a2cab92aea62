import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ResourceNames } from '#shared/config/names.ts';

export interface StateTablesProps {
  readonly names: ResourceNames;
  readonly encryptionKey: kms.IKey;
}

/** Warden's DynamoDB state: which events were handled (idempotency) and what was done (audit). */
export class StateTables extends Construct {
  readonly idempotency: dynamodb.Table;
  readonly audit: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StateTablesProps) {
    super(scope, id);
    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    } as const;

    // Key and TTL attribute names are the Powertools Idempotency defaults.
    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      ...common,
      tableName: props.names.idempotencyTable,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      // Entries live a day; nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // pk = RESOURCE#<resource>, sk = ACTION#<time>#<id> (shared/audit/audit-log.ts).
    this.audit = new dynamodb.Table(this, 'Audit', {
      ...common,
      tableName: props.names.auditTable,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      // The record of what Warden changed outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
