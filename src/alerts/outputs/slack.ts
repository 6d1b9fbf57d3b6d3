/**
 * Posts each alert to a Slack incoming webhook as a readable Block Kit
 * message: severity, title, event count, rule, first and last event, a few
 * context fields and the runbook. `text` repeats the gist for notifications
 * and clients that do not render blocks.
 *
 * Config keys: `url_env` (required: the webhook URL is its own credential, so
 * it is read from the environment), `timeout_secs`.
 * @module
 * @see https://api.slack.com/messaging/webhooks
 * @see https://api.slack.com/reference/block-kit/blocks
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Severity } from "../../rules/types.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { postJson } from "./_http.ts";
import { contextFields, truncate } from "../payload.ts";
import { formatEventTime } from "../format.ts";

/** Options of the Slack output. */
export interface SlackOutputOptions {
  name: string;
  /** The incoming webhook URL. */
  url: string;
  timeoutMs?: number;
}

/** Context fields shown in the message. */
const CONTEXT_FIELDS = 6;

const SEVERITY_EMOJI: Record<Severity, string> = {
  Critical: ":red_circle:",
  High: ":large_orange_circle:",
  Medium: ":large_yellow_circle:",
  Low: ":large_blue_circle:",
  Info: ":white_circle:",
};

/** Creates the Slack output. */
export function slackOutput(options: SlackOutputOptions): Output {
  return {
    name: options.name,
    type: "slack",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow, signal?: AbortSignal): Promise<void> {
      const body = JSON.stringify(slackMessage(alert));
      await postJson(options.url, body, { signal, timeoutMs: options.timeoutMs });
    },
  };
}

/** The webhook body for one alert: `text` plus `blocks`. */
export function slackMessage(alert: AlertRow): Record<string, unknown> {
  const events = `${alert.matchCount} event${alert.matchCount === 1 ? "" : "s"}`;
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: truncate(alert.title, 150) } },
    {
      type: "section",
      fields: [
        mrkdwn(`*Severity*\n${SEVERITY_EMOJI[alert.severity] ?? ""} ${alert.severity}`),
        mrkdwn(`*Events*\n${events}`),
        mrkdwn(`*Rule*\n\`${escape(alert.ruleId)}\``),
        mrkdwn(
          `*Seen*\n${formatEventTime(alert.firstEventTime)}${
            alert.lastEventTime > alert.firstEventTime
              ? ` → ${formatEventTime(alert.lastEventTime)}`
              : ""
          }`,
        ),
      ],
    },
  ];
  if (alert.description) {
    blocks.push({ type: "section", text: mrkdwn(truncate(escape(alert.description), 3000)) });
  }
  const fields = contextFields(alert, CONTEXT_FIELDS);
  if (fields.length > 0) {
    blocks.push({
      type: "section",
      fields: fields.map(([k, v]) => mrkdwn(truncate(`*${escape(k)}*\n${escape(v)}`, 2000))),
    });
  }
  if (alert.runbook) {
    blocks.push({
      type: "section",
      text: mrkdwn(truncate(`*Runbook*\n${escape(alert.runbook)}`, 3000)),
    });
  }
  blocks.push({
    type: "context",
    elements: [mrkdwn(`alert \`${alert.id}\` · dedup \`${truncate(escape(alert.dedup), 200)}\``)],
  });
  return {
    text: truncate(
      `[${alert.severity.toUpperCase()}] ${alert.title} (${events}, ${alert.ruleId})`,
      3000,
    ),
    blocks,
  };
}

function mrkdwn(text: string): { type: "mrkdwn"; text: string } {
  return { type: "mrkdwn", text };
}

/** Slack's mrkdwn treats these three as control characters. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Builds the Slack output from its config entry. */
export function slackFromConfig(s: OutputSettings): Output {
  if (s.has("url")) {
    s.fail("url", "a Slack webhook URL is a secret: name an environment variable in url_env");
  }
  s.allowOnly(["url_env"]);
  return slackOutput({ name: s.name, url: s.url(null, "url_env"), timeoutMs: s.timeoutMs() });
}
