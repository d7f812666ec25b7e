/** SDK clients for the emulator: one endpoint for S3 (path-style), SQS and Glue; fake credentials. */
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './moto.js';

// The SDK's notice that releases after January 2027 need Node 22 would be printed on every local
// query; the pinned SDK versions are what matters here (docs/local stand-ins).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface LocalAwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly glue: GlueClient;
  destroy(): void;
}

export function localAwsClients(endpoint: string): LocalAwsClients {
  const common = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  const glue = new GlueClient(common);
  return {
    s3,
    sqs,
    glue,
    destroy() {
      s3.destroy();
      sqs.destroy();
      glue.destroy();
    },
  };
}
