/**
 * A tiny stand-in for the Lambda SQS event source mapping, against real queues on fauxqs: receive
 * up to 10 messages, hand them to the handler as an SQS event (with the server's MessageId and
 * ApproximateReceiveCount), delete the ones not listed in batchItemFailures, and leave the others
 * to come back when their visibility timeout ends (or to be moved to the DLQ by the redrive policy
 * on the receive after maxReceiveCount).
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { receiveSqsEvent } from '../local-s3.js';

export interface Queue {
  readonly url: string;
  readonly arn: string;
}

export interface QueuePair {
  readonly main: Queue;
  readonly dlq: Queue;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<Queue> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  return { url, arn };
}

/** A main queue whose messages move to a fresh DLQ after `maxReceiveCount` receives. */
export async function createQueueWithDlq(
  sqs: SQSClient,
  options: { maxReceiveCount: number; visibilityTimeout: number },
): Promise<QueuePair> {
  const name = `faults-${randomBytes(4).toString('hex')}`;
  const dlq = await createQueue(sqs, `${name}-dlq`, {});
  const main = await createQueue(sqs, name, {
    VisibilityTimeout: String(options.visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount }),
  });
  return { main, dlq };
}

export async function sendBodies(sqs: SQSClient, queue: Queue, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: `m${i + j}`, MessageBody: body }));
    const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    if ((response.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(response.Failed)}`);
    ids.push(...entries.map((e) => response.Successful!.find((s) => s.Id === e.Id)!.MessageId!));
  }
  return ids;
}

export async function queueDepth(sqs: SQSClient, queue: Queue): Promise<{ visible: number; inFlight: number }> {
  const attributes = (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
  ).Attributes!;
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Every message body now in the queue (received with a long visibility, then left in flight). */
export async function drainBodies(
  sqs: SQSClient,
  queue: Queue,
): Promise<{ messageId: string; body: string; receiveCount: number }[]> {
  const out: { messageId: string; body: string; receiveCount: number }[] = [];
  for (;;) {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = response.Messages ?? [];
    if (messages.length === 0) return out;
    out.push(
      ...messages.map((m) => ({
        messageId: m.MessageId!,
        body: m.Body!,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      })),
    );
  }
}

export interface Invocation {
  readonly event: SQSEvent;
  readonly response: SQSBatchResponse;
  readonly receiveCounts: Readonly<Record<string, number>>;
}

export interface PollResult {
  readonly invocations: readonly Invocation[];
  /** messageId → how many times the handler saw it. */
  readonly deliveries: ReadonlyMap<string, number>;
  /** messageId → deleted after a successful invocation. */
  readonly deleted: ReadonlySet<string>;
  readonly polls: number;
}

/**
 * Polls until the queue is empty (nothing visible, nothing in flight). Fails with a clear message
 * after `maxPolls` receive calls, so a message that never leaves cannot hang the test.
 */
export async function pollUntilEmpty(
  sqs: SQSClient,
  queue: Queue,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  options: { maxPolls?: number; idleMillis?: number } = {},
): Promise<PollResult> {
  const maxPolls = options.maxPolls ?? 100;
  const invocations: Invocation[] = [];
  const deliveries = new Map<string, number>();
  const deleted = new Set<string>();
  for (let polls = 1; polls <= maxPolls; polls++) {
    const event = await receiveSqsEvent(sqs, queue, { max: 10, visibilityTimeout: 1 });
    if (event.Records.length === 0) {
      const depth = await queueDepth(sqs, queue);
      if (depth.visible === 0 && depth.inFlight === 0) return { invocations, deliveries, deleted, polls };
      await new Promise((resolve) => setTimeout(resolve, options.idleMillis ?? 150));
      continue;
    }
    for (const record of event.Records) deliveries.set(record.messageId, (deliveries.get(record.messageId) ?? 0) + 1);
    const response = await handler(event);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = event.Records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((record, i) => ({ Id: `d${i}`, ReceiptHandle: record.receiptHandle })),
        }),
      );
      if ((result.Failed ?? []).length > 0) throw new Error(`delete failed: ${JSON.stringify(result.Failed)}`);
      for (const record of done) deleted.add(record.messageId);
    }
    invocations.push({
      event,
      response,
      receiveCounts: Object.fromEntries(
        event.Records.map((r) => [r.messageId, Number(r.attributes.ApproximateReceiveCount)]),
      ),
    });
  }
  const depth = await queueDepth(sqs, queue);
  throw new Error(
    `queue not empty after ${maxPolls} polls (${depth.visible} visible, ${depth.inFlight} in flight; ${invocations.length} invocations)`,
  );
}
