/**
 * SQS as a source of object notifications: long-poll receive in batches of
 * 10, delete after the objects are committed, and visibility changes (extend
 * while in work, zero to hand a message back at shutdown). The SDK is loaded
 * on first use. Message bodies are parsed by {@linkcode parseNotification}.
 * @module
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsOptions } from "./s3.ts";

export { type Notification, parseNotification } from "./notifications.ts";

/** Most messages one ReceiveMessage returns (the SQS maximum). */
export const RECEIVE_BATCH = 10;
/** Long-poll wait of one ReceiveMessage (the SQS maximum). */
export const RECEIVE_WAIT_SECS = 20;

/** One received message. */
export interface QueueMessage {
  id: string;
  receiptHandle: string;
  body: string;
  /** When SQS accepted the message (ms since epoch), when known. */
  sentAt: number | null;
  /** How often the message has been received, this time included. */
  receiveCount: number;
}

/** Creates an SQS client (SDK loaded on first use). */
export async function createSqsClient(aws: AwsOptions): Promise<SQSClient> {
  const { SQSClient } = await import("@aws-sdk/client-sqs");
  return new SQSClient({
    region: aws.region ?? Deno.env.get("AWS_REGION") ?? "us-east-1",
    endpoint: aws.endpoint,
    credentials: aws.credentials,
  });
}

/** The region in a standard queue URL (`https://sqs.REGION.amazonaws.com/…`), else null. */
export function queueRegion(queueUrl: string): string | null {
  return queueUrl.match(/^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com/)?.[1] ?? null;
}

/**
 * Receives up to 10 messages, waiting up to `waitSecs` for the first one.
 * Aborting `signal` ends the wait early with an AbortError.
 */
export async function receiveMessages(
  client: SQSClient,
  queueUrl: string,
  options: { visibilityTimeoutSecs: number; waitSecs?: number; signal?: AbortSignal },
): Promise<QueueMessage[]> {
  const { ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: RECEIVE_BATCH,
      WaitTimeSeconds: options.waitSecs ?? RECEIVE_WAIT_SECS,
      VisibilityTimeout: options.visibilityTimeoutSecs,
      MessageSystemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount"],
    }),
    { abortSignal: options.signal },
  );
  return (out.Messages ?? []).flatMap((m) => {
    if (m.ReceiptHandle === undefined) return [];
    const sent = Number(m.Attributes?.SentTimestamp);
    return [{
      id: m.MessageId ?? "",
      receiptHandle: m.ReceiptHandle,
      body: m.Body ?? "",
      sentAt: Number.isFinite(sent) && sent > 0 ? sent : null,
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1) || 1,
    }];
  });
}

/** Deletes a message whose objects are all committed. */
export async function deleteMessage(
  client: SQSClient,
  queueUrl: string,
  receiptHandle: string,
): Promise<void> {
  const { DeleteMessageCommand } = await import("@aws-sdk/client-sqs");
  await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
}

/**
 * Sets how long a message stays hidden from now: extends it while its objects
 * are in work, or returns it to the queue at once with 0.
 */
export async function changeVisibility(
  client: SQSClient,
  queueUrl: string,
  receiptHandle: string,
  secs: number,
): Promise<void> {
  const { ChangeMessageVisibilityCommand } = await import("@aws-sdk/client-sqs");
  await client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: secs,
    }),
  );
}
