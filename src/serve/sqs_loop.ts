/**
 * The SQS loop of one integration: long-poll the queue, parse each
 * notification, process the objects it names concurrently, and delete the
 * message only once every object is committed (or was already done). While a
 * message is in work its visibility is extended; a message whose objects
 * cannot be read stays in the queue for a later try and, after enough tries,
 * the queue's redrive policy (dead-letter queue). At shutdown, messages not
 * finished are handed back at once (visibility 0).
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { IntegrationConfig } from "../config.ts";
import {
  changeVisibility,
  deleteMessage,
  parseNotification,
  type QueueMessage,
  RECEIVE_BATCH,
  receiveMessages,
} from "../sources/sqs.ts";
import { headS3Object } from "../sources/s3.ts";
import type { NotifiedObject } from "../sources/notifications.ts";
import {
  integrationObject,
  notTakenReason,
  type ObjectResult,
  type ObjectRunner,
} from "./objects.ts";
import type { HealthTracker } from "./health.ts";
import type { ServeMetrics } from "./metrics.ts";
import { log } from "../log.ts";
import { errorMessage } from "../errors.ts";
import { abortableSleep } from "../abortable_sleep.ts";

/** Wait after a failed ReceiveMessage before the next, doubling up to the maximum. */
const RECEIVE_RETRY_MS = { first: 1_000, max: 60_000 };

/** What the SQS loop works with. */
export interface SqsLoopDeps {
  sqs: SQSClient;
  s3: S3Client;
  runner: ObjectRunner;
  metrics: ServeMetrics;
  health: HealthTracker;
  /** Aborted when serve stops receiving. */
  signal: AbortSignal;
  /** Long-poll wait in seconds (20 in production; tests may shorten it). */
  waitSecs?: number;
}

/** A running SQS loop. */
export interface SqsLoop {
  /** Resolves once receiving has stopped and every received message is settled. */
  done: Promise<void>;
  /** Hands every message still in work back to the queue (visibility 0). */
  abandon(): Promise<void>;
}

/** Starts the SQS loop of `integration`. */
export function startSqsLoop(integration: IntegrationConfig, deps: SqsLoopDeps): SqsLoop {
  const inWork = new Map<string, InWork>();
  const settling = new Set<Promise<void>>();
  const queueUrl = integration.queueUrl!;
  const labels = { integration: integration.name };

  const loop = async () => {
    const stopped = abortPromise(deps.signal);
    let retryMs = RECEIVE_RETRY_MS.first;
    while (!deps.signal.aborted) {
      let messages: QueueMessage[];
      const started = performance.now();
      try {
        messages = await receiveMessages(deps.sqs, queueUrl, {
          visibilityTimeoutSecs: integration.visibilityTimeoutSecs,
          waitSecs: deps.waitSecs,
          signal: deps.signal,
        });
      } catch (err) {
        if (deps.signal.aborted) break;
        const reason = `Cannot receive from queue "${queueUrl}": ${errorMessage(err)}`;
        log.error(reason, labels);
        deps.metrics.sourceErrors.inc(labels);
        deps.health.failed(integration.name, "loop", reason);
        await abortableSleep(retryMs, deps.signal);
        retryMs = Math.min(retryMs * 2, RECEIVE_RETRY_MS.max);
        continue;
      }
      retryMs = RECEIVE_RETRY_MS.first;
      deps.metrics.receiveSeconds.observe(labels, (performance.now() - started) / 1000);
      deps.health.loopOk(integration.name);
      const now = Date.now();
      for (const message of messages) {
        if (message.sentAt !== null) {
          deps.metrics.messageAgeSeconds.observe(labels, Math.max(0, now - message.sentAt) / 1000);
        }
        const entry: InWork = { message, abandoned: false, heartbeat: null };
        inWork.set(message.receiptHandle, entry);
        const p: Promise<void> = handle(integration, entry, deps)
          .catch((err) => log.error(`Cannot handle message "${message.id}": ${errorMessage(err)}`))
          .finally(() => {
            inWork.delete(message.receiptHandle);
            settling.delete(p);
          });
        settling.add(p);
      }
      // Receive more only when fewer than a batch of messages is in work.
      while (settling.size >= RECEIVE_BATCH && !deps.signal.aborted) {
        await Promise.race([...settling, stopped]);
      }
    }
    while (settling.size > 0) await Promise.allSettled([...settling]);
  };

  return {
    done: loop(),
    async abandon() {
      await Promise.allSettled([...inWork.values()].map(async (entry) => {
        entry.abandoned = true;
        if (entry.heartbeat !== null) clearInterval(entry.heartbeat);
        await changeVisibility(deps.sqs, queueUrl, entry.message.receiptHandle, 0).catch(() => {});
        deps.metrics.messages.inc({ ...labels, result: "returned" });
      }));
    },
  };
}

/** A received message not yet settled. */
interface InWork {
  message: QueueMessage;
  /** Handed back to the queue: never deleted or extended after that. */
  abandoned: boolean;
  heartbeat: ReturnType<typeof setInterval> | null;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Handles one message from receipt to delete (or to leaving it in the queue). */
async function handle(
  integration: IntegrationConfig,
  entry: InWork,
  deps: SqsLoopDeps,
): Promise<void> {
  const { message } = entry;
  const queueUrl = integration.queueUrl!;
  const labels = { integration: integration.name };
  const note = parseNotification(message.body);
  const count = (result: string) => deps.metrics.messages.inc({ ...labels, result });
  const remove = async (result: string) => {
    if (entry.abandoned) return;
    try {
      await deleteMessage(deps.sqs, queueUrl, message.receiptHandle);
      count(result);
    } catch (err) {
      // The message comes back later and is then found done: nothing is lost or doubled.
      log.warn(`Cannot delete message "${message.id}" from "${queueUrl}": ${errorMessage(err)}`);
    }
  };
  if (note.kind === "test") {
    log.info(`Deleting the s3:TestEvent message "${message.id}"`, labels);
    return remove("test");
  }
  if (note.kind === "invalid") {
    // Left in the queue: after maxReceiveCount tries the redrive policy moves it to the DLQ.
    log.error(`Cannot parse message "${message.id}" from "${queueUrl}": ${note.reason}`, {
      ...labels,
      receive_count: message.receiveCount,
    });
    count("invalid");
    return;
  }
  if (note.kind === "ignored") {
    log.debug(`Ignoring message "${message.id}": ${note.reason}`, labels);
    return remove("ignored");
  }
  const wanted = note.objects.filter((o) => {
    const why = notTakenReason(integration, o.bucket, o.key);
    if (why !== null) log.debug(`Ignoring "s3://${o.bucket}/${o.key}": ${why}`, labels);
    return why === null;
  });
  if (wanted.length === 0) return remove("ignored");

  entry.heartbeat = startHeartbeat(integration, entry, deps);
  let results: ObjectResult[];
  try {
    results = await Promise.all(wanted.map((o) => processNotified(integration, o, deps)));
  } finally {
    clearInterval(entry.heartbeat);
  }
  if (results.every((r) => r.status === "committed" || r.status === "skipped")) {
    return remove("deleted");
  }
  if (results.some((r) => r.status === "abandoned") && !entry.abandoned) {
    entry.abandoned = true;
    await changeVisibility(deps.sqs, queueUrl, message.receiptHandle, 0).catch(() => {});
    count("returned");
    return;
  }
  if (!entry.abandoned) {
    count("kept");
    log.warn(`Keeping message "${message.id}" for a later try`, {
      ...labels,
      receive_count: message.receiveCount,
    });
  }
}

/** Extends the message's visibility at half its timeout, while its objects are in work. */
function startHeartbeat(
  integration: IntegrationConfig,
  entry: InWork,
  deps: SqsLoopDeps,
): ReturnType<typeof setInterval> {
  const secs = integration.visibilityTimeoutSecs;
  const message = entry.message;
  return setInterval(() => {
    if (entry.abandoned) return;
    changeVisibility(deps.sqs, integration.queueUrl!, message.receiptHandle, secs).catch((err) =>
      log.warn(`Cannot extend the visibility of message "${message.id}": ${errorMessage(err)}`)
    );
  }, Math.max(500, secs * 500));
}

/** Resolves size and ETag when the notification lacks them, then processes the object. */
async function processNotified(
  integration: IntegrationConfig,
  o: NotifiedObject,
  deps: SqsLoopDeps,
): Promise<ObjectResult> {
  let size = o.size;
  let etag = o.etag;
  if (size === null || etag === null) {
    try {
      const head = await headS3Object(deps.s3, { bucket: o.bucket, key: o.key });
      size = head.size;
      etag = head.etag;
    } catch (err) {
      const reason = errorMessage(err);
      const uri = `s3://${o.bucket}/${o.key}`;
      log.error(`Cannot read object "${uri}": ${reason}`, { integration: integration.name });
      deps.metrics.objects.inc({ integration: integration.name, result: "error" });
      deps.health.failed(integration.name, "object", `Cannot read object "${uri}": ${reason}`);
      return { status: "failed", events: 0, reason };
    }
  }
  const ref = integrationObject(integration, { bucket: o.bucket, key: o.key, size, etag });
  return deps.runner.run(integration, ref);
}
