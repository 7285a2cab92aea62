import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { clientConfig, s3ClientConfig, s3ControlClientConfig } from '#shared/aws/clients.ts';
import { localCredentials } from './credentials.ts';

export interface LocalTarget {
  readonly endpoint: string;
  readonly region: string;
}

/** Clients pointed at the emulator, through the same config factory the functions use. */
export function makeLocalClients({ endpoint, region }: LocalTarget) {
  const target = { endpoint, region, credentials: localCredentials() };
  return {
    s3: new S3Client(s3ClientConfig(target)),
    s3Control: new S3ControlClient(s3ControlClientConfig(target)),
    secretsManager: new SecretsManagerClient(clientConfig(target)),
    kms: new KMSClient(clientConfig(target)),
    sns: new SNSClient(clientConfig(target)),
    sqs: new SQSClient(clientConfig(target)),
    dynamodb: new DynamoDBClient(clientConfig(target)),
    iam: new IAMClient(clientConfig(target)),
    sts: new STSClient(clientConfig(target)),
    cloudTrail: new CloudTrailClient(clientConfig(target)),
    events: new EventBridgeClient(clientConfig(target)),
  };
}

export type LocalClients = ReturnType<typeof makeLocalClients>;
