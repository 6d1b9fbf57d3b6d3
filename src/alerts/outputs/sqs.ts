/**
 * Sends each alert's JSON to an SQS queue, with `alert_id`, `rule_id` and
 * `severity` message attributes. On a FIFO queue the rule id is the message
 * group and the alert id deduplicates. The AWS SDK is loaded on the first
 * delivery only.
 *
 * Config keys: `queue_url` (required), `region` (default: the config's
 * `aws.region`, else the queue's), `endpoint`, `timeout_secs`.
 * @module
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { alertAttributes, type AwsClientOptions, awsFromSettings, lazyClient } from "./_aws.ts";
import { alertJson } from "../payload.ts";

/** Options of the SQS output. */
export interface SqsOutputOptions extends AwsClientOptions {
  name: string;
  queueUrl: string;
  timeoutMs?: number;
}

/** Creates the SQS output. */
export function sqsOutput(options: SqsOutputOptions): Output {
  const client = lazyClient(() =>
    import("@aws-sdk/client-sqs").then(({ SQSClient }) =>
      new SQSClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
      })
    )
  );
  const fifo = options.queueUrl.endsWith(".fifo");
  return {
    name: options.name,
    type: "sqs",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow, signal?: AbortSignal): Promise<void> {
      const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
      await (await client.get()).send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(alertJson(alert)),
          MessageAttributes: alertAttributes(alert),
          MessageGroupId: fifo ? alert.ruleId : undefined,
          MessageDeduplicationId: fifo ? alert.id : undefined,
        }),
        { abortSignal: signal },
      );
    },
    close: () => client.close(),
  };
}

/** Region in a queue URL such as `https://sqs.eu-west-1.amazonaws.com/…`, if any. */
function queueRegion(url: string): string | null {
  return url.match(/^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//)?.[1] ?? null;
}

/** Builds the SQS output from its config entry. */
export function sqsFromConfig(s: OutputSettings): Output {
  s.allowOnly(["queue_url", "region", "endpoint"]);
  // Not parsed as a URL: emulators hand out URLs such as
  // http://sqs.us-east-1.127.0.0.1:4566/…, which the SDK accepts but URL parsers do not.
  const queueUrl = s.requiredString("queue_url");
  if (!/^https?:\/\/[^/]+\/.+/.test(queueUrl)) {
    s.fail("queue_url", `expected an SQS queue URL, got "${queueUrl}"`);
  }
  return sqsOutput({
    name: s.name,
    queueUrl,
    timeoutMs: s.timeoutMs(),
    ...awsFromSettings(s, queueRegion(queueUrl)),
  });
}
