/**
 * The stack's ingest path in the emulator, built from the synthesized template: the landing and lake
 * buckets, the queues with their dead-letter queues and redrive policies, the landing bucket's
 * notification configuration (so a PutObject sends the S3 event to the queue, as in AWS), the Glue
 * catalog, and for each event source mapping a poller that behaves like Lambda's: batch size and
 * batching window from the mapping, partial batch responses, failed messages left to come back
 * after the visibility timeout, the queue's redrive policy moving them to the DLQ.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PutBucketNotificationConfigurationCommand, type NotificationConfiguration } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createWorkerHandler, type WorkerDependencies } from '../../lambdas/worker-handler.js';
import { cachedPartitionRegistrar } from '../catalog/partition-cache.js';
import { SOURCE_KIND_FACTS } from '../contract/index.js';
import { registerPartitions } from '../catalog/partitions.js';
import { sourceKindOf, type SourceKind } from '../domain/layout.js';
import { S3ObjectStore, s3StorePerBucket } from '../storage/s3-store.js';
import type { LocalAwsClients } from './aws-clients.js';
import { resolveCfn } from './cfn.js';
import { createBucket } from './lake-on-trino.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './moto.js';
import { localCfnEnvironment, type StackTemplate } from './stack-template.js';
import { createTemplateCatalog, templateCatalog } from './template-catalog.js';

export interface LocalQueue {
  readonly logicalId: string;
  readonly url: string;
  readonly arn: string;
}

export interface EventSource {
  readonly kind: SourceKind;
  readonly queue: LocalQueue;
  readonly deadLetterQueue: LocalQueue;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
}

export interface LocalStack {
  readonly landingBucket: string;
  readonly lakeBucket: string;
  readonly databaseName: string;
  readonly sources: Readonly<Record<SourceKind, EventSource>>;
}

export interface DeployOptions {
  /** Appended to bucket and queue names, so several deployments share one emulator. */
  readonly suffix?: string;
  /**
   * Replaces every queue's VisibilityTimeout (the template's is minutes: six times the function
   * timeout), so a failed message comes back in seconds. Nothing else of the template is changed.
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Replaces the template's batching window (30 s for songs): a run of a few files would otherwise
   * wait the whole window for a batch that cannot fill. The batch size stays the template's.
   */
  readonly batchingWindowSeconds?: number;
}

/** Creates what `cdk deploy` would, as far as the ingest path goes, from the template alone. */
export async function deployLocalStack(
  clients: LocalAwsClients,
  template: StackTemplate,
  options: DeployOptions = {},
): Promise<LocalStack> {
  const suffix = options.suffix ?? randomBytes(4).toString('hex');
  const landingBucket = `landing-${suffix}`;
  const lakeBucket = `lake-${suffix}`;
  await createBucket(clients.s3, landingBucket);
  await createBucket(clients.s3, lakeBucket);
  const account = { accountId: LOCAL_ACCOUNT_ID, region: LOCAL_REGION };

  // Queues: dead-letter queues first, so the redrive policies can name them.
  const queues: Record<string, LocalQueue> = {};
  const queueResources = template
    .resources('AWS::SQS::Queue')
    .sort(
      ([, a], [, b]) =>
        Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined),
    );
  for (const [logicalId, resource] of queueResources) {
    const env = localCfnEnvironment(template, { lakeBucket, landingBucket, queues }, account);
    const properties = resolveCfn(resource.Properties ?? {}, env) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(properties)) {
      if (name === 'QueueName' || name === 'Tags' || name === 'SqsManagedSseEnabled') continue;
      attributes[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    if (options.visibilityTimeoutSeconds !== undefined)
      attributes.VisibilityTimeout = String(options.visibilityTimeoutSeconds);
    const url = (
      await clients.sqs.send(
        new CreateQueueCommand({ QueueName: `${logicalId}-${suffix}`.slice(0, 80), Attributes: attributes }),
      )
    ).QueueUrl;
    if (!url) throw new Error(`no URL for queue ${logicalId}`);
    const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;
    if (!arn) throw new Error(`no ARN for queue ${logicalId}`);
    queues[logicalId] = { logicalId, url, arn };
  }
  const env = localCfnEnvironment(template, { lakeBucket, landingBucket, queues }, account);

  // The landing bucket's notifications, as CDK's Custom::S3BucketNotifications handler puts them.
  for (const [, resource] of template.resources('Custom::S3BucketNotifications')) {
    const properties = resolveCfn(
      {
        BucketName: resource.Properties?.BucketName,
        NotificationConfiguration: resource.Properties?.NotificationConfiguration,
      },
      env,
    ) as {
      BucketName: string;
      NotificationConfiguration: NotificationConfiguration;
    };
    await clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: properties.BucketName,
        NotificationConfiguration: properties.NotificationConfiguration,
      }),
    );
  }

  const catalog = templateCatalog(template, env);
  await createTemplateCatalog(clients.glue, catalog);

  // Each event source mapping: its queue, and the worker kind the notifications send to that queue.
  const notifications = template.resources('Custom::S3BucketNotifications').flatMap(([, r]) => {
    const config = r.Properties?.NotificationConfiguration as
      | {
          QueueConfigurations?: {
            QueueArn: { 'Fn::GetAtt': [string, string] };
            Filter?: { Key?: { FilterRules?: { Name: string; Value: string }[] } };
          }[];
        }
      | undefined;
    return config?.QueueConfigurations ?? [];
  });
  const sources: Partial<Record<SourceKind, EventSource>> = {};
  for (const [logicalId, mapping] of template.resources('AWS::Lambda::EventSourceMapping')) {
    const p = mapping.Properties ?? {};
    const queueId = (p.EventSourceArn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
    const queue = queueId ? queues[queueId] : undefined;
    if (!queueId || !queue) throw new Error(`${logicalId}: its event source is not a queue of the template`);
    const prefix = notifications
      .filter((n) => n.QueueArn['Fn::GetAtt'][0] === queueId)
      .flatMap((n) => n.Filter?.Key?.FilterRules ?? [])
      .find((rule) => rule.Name.toLowerCase() === 'prefix')?.Value;
    const kind = prefix === undefined ? undefined : sourceKindOf(`${prefix}x.json`);
    if (!kind) throw new Error(`${logicalId}: no landing notification names its queue ${queueId}`);
    const queueProperties = template.property<Record<string, unknown>>(queueId, 'RedrivePolicy') as {
      deadLetterTargetArn: { 'Fn::GetAtt': [string, string] };
      maxReceiveCount: number;
    };
    const dlq = queues[queueProperties.deadLetterTargetArn['Fn::GetAtt'][0]];
    if (!dlq) throw new Error(`${queueId}: its dead-letter queue is not in the template`);
    sources[kind] = {
      kind,
      queue,
      deadLetterQueue: dlq,
      batchSize: Number(p.BatchSize ?? 10),
      batchingWindowSeconds: options.batchingWindowSeconds ?? Number(p.MaximumBatchingWindowInSeconds ?? 0),
      reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        'ReportBatchItemFailures',
      ),
      maxReceiveCount: queueProperties.maxReceiveCount,
      visibilityTimeoutSeconds:
        options.visibilityTimeoutSeconds ?? Number(template.property(queueId, 'VisibilityTimeout')),
    };
  }
  if (!sources.song || !sources.log) throw new Error('the template has no event source mapping for song or log files');
  return {
    landingBucket,
    lakeBucket,
    databaseName: catalog.databaseName,
    sources: { song: sources.song, log: sources.log },
  };
}

/** What the handler is given: only its signature matters here. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface Invocation {
  readonly records: readonly SQSRecord[];
  readonly response: SQSBatchResponse;
  readonly error?: Error;
}

/**
 * One event source mapping: receives up to batchSize messages, waiting up to the batching window
 * for the batch to fill, invokes the handler, and deletes the messages the response does not list
 * as failed (all of them stay when the invocation throws). Failed messages come back after the
 * visibility timeout; the queue's redrive policy moves them to the DLQ after maxReceiveCount.
 */
export class EventSourcePoller {
  readonly invocations: Invocation[] = [];

  constructor(
    private readonly sqs: SQSClient,
    readonly source: EventSource,
    private readonly handler: SqsHandler,
    private readonly functionName = SOURCE_KIND_FACTS[source.kind].serviceName,
  ) {}

  /** One invocation's worth of messages, or none when the queue had nothing within the window. */
  async pollOnce(): Promise<Invocation | undefined> {
    const records: SQSRecord[] = [];
    const deadline = Date.now() + this.source.batchingWindowSeconds * 1000;
    do {
      const response = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.source.queue.url,
          MaxNumberOfMessages: Math.min(10, this.source.batchSize - records.length),
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      for (const message of response.Messages ?? []) records.push(toRecord(message, this.source));
    } while (records.length < this.source.batchSize && Date.now() < deadline && records.length > 0);
    if (records.length === 0) return undefined;

    let response: SQSBatchResponse;
    let error: Error | undefined;
    try {
      response = await this.handler({ Records: records }, lambdaContext(this.functionName));
    } catch (thrown) {
      error = thrown as Error;
      response = { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    const failed = new Set(
      this.source.reportBatchItemFailures || error ? response.batchItemFailures.map((f) => f.itemIdentifier) : [],
    );
    const done = records.filter((r) => !failed.has(r.messageId));
    for (let i = 0; i < done.length; i += 10) {
      const batch = done.slice(i, i + 10);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.source.queue.url,
          Entries: batch.map((r, j) => ({ Id: `d${j}`, ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    const invocation = { records, response, ...(error ? { error } : {}) };
    this.invocations.push(invocation);
    return invocation;
  }

  /** Polls until the queue has been empty (nothing visible, nothing in flight) or the time is up. */
  async drain(timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const invocation = await this.pollOnce();
      if (!invocation && (await this.depth()) === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.source.queue.logicalId} not empty after ${timeoutMs / 1000} s (${this.invocations.length} invocations)`,
        );
    }
  }

  async depth(queue: LocalQueue = this.source.queue): Promise<number> {
    const attributes = (
      await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes;
    return (
      Number(attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }
}

function toRecord(
  message: {
    MessageId?: string;
    ReceiptHandle?: string;
    Body?: string;
    MD5OfBody?: string;
    Attributes?: Record<string, string>;
  },
  source: EventSource,
): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queue.arn,
    awsRegion: LOCAL_REGION,
  };
}

/** A Lambda context good enough for Powertools' logger and batch processor. */
export function lambdaContext(functionName: string, timeoutMillis = 60_000): Context {
  const deadline = Date.now() + timeoutMillis;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The real worker handler (lambdas/worker-handler.ts), composed as lambdas/aws-dependencies.ts
 * composes it, with its S3 and Glue clients pointed at the emulator.
 */
export function localWorkerHandler(
  clients: LocalAwsClients,
  stack: LocalStack,
  kind: SourceKind,
  observability: Pick<WorkerDependencies, 'logger' | 'metrics'>,
): SqsHandler {
  const catalog = { databaseName: stack.databaseName, lakeRootUri: `s3://${stack.lakeBucket}` };
  return createWorkerHandler({
    kind,
    sourceStore: s3StorePerBucket(clients.s3),
    lake: new S3ObjectStore(clients.s3, stack.lakeBucket),
    registerPartitions: cachedPartitionRegistrar((partitions) => registerPartitions(clients.glue, catalog, partitions)),
    logger: observability.logger,
    metrics: observability.metrics,
    fileConcurrency: SOURCE_KIND_FACTS[kind].fileConcurrency,
  });
}
