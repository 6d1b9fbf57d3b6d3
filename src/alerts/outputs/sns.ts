/**
 * Publishes each alert's JSON to an SNS topic, with `alert_id`, `rule_id` and
 * `severity` message attributes for subscription filter policies. On a FIFO
 * topic the rule id is the message group and the alert id deduplicates.
 * The AWS SDK is loaded on the first delivery only.
 *
 * Config keys: `topic_arn` (required), `region` (default: the config's
 * `aws.region`, else the topic's), `endpoint`, `timeout_secs`.
 * @module
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { alertAttributes, type AwsClientOptions, awsFromSettings, lazyClient } from "./_aws.ts";
import { alertJson } from "../payload.ts";

/** Options of the SNS output. */
export interface SnsOutputOptions extends AwsClientOptions {
  name: string;
  topicArn: string;
  timeoutMs?: number;
}

/** Creates the SNS output. */
export function snsOutput(options: SnsOutputOptions): Output {
  const client = lazyClient(() =>
    import("@aws-sdk/client-sns").then(({ SNSClient }) =>
      new SNSClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
      })
    )
  );
  const fifo = options.topicArn.endsWith(".fifo");
  return {
    name: options.name,
    type: "sns",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow, signal?: AbortSignal): Promise<void> {
      const { PublishCommand } = await import("@aws-sdk/client-sns");
      await (await client.get()).send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Message: JSON.stringify(alertJson(alert)),
          Subject: snsSubject(alert),
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

/** SNS subjects are at most 100 printable ASCII characters on one line. */
function snsSubject(alert: AlertRow): string {
  const text = `[${alert.severity.toUpperCase()}] ${alert.title}`.replace(/[^\x20-\x7e]/g, "?");
  return text.length <= 100 ? text : text.slice(0, 97) + "...";
}

/** Builds the SNS output from its config entry. */
export function snsFromConfig(s: OutputSettings): Output {
  s.allowOnly(["topic_arn", "region", "endpoint"]);
  const topicArn = s.requiredString("topic_arn");
  const parts = topicArn.split(":");
  if (parts.length !== 6 || parts[0] !== "arn" || parts[2] !== "sns") {
    s.fail("topic_arn", `expected an SNS topic ARN, got "${topicArn}"`);
  }
  return snsOutput({
    name: s.name,
    topicArn,
    timeoutMs: s.timeoutMs(),
    ...awsFromSettings(s, parts[3] || null),
  });
}
