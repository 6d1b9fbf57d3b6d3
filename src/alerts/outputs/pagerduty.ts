/**
 * Triggers a PagerDuty incident per alert through the Events API v2. The
 * alert id is the `dedup_key`, so a repeated delivery of the same alert
 * updates one incident instead of opening another.
 *
 * Config keys: `routing_key_env` (required), `url` (default: the public
 * Events API endpoint), `source` (default `iota`), `timeout_secs`.
 * @module
 * @see https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Severity } from "../../rules/types.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { postJson } from "./_http.ts";
import { truncate } from "../payload.ts";

/** The public Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** PagerDuty event severities. */
export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/** How iota severities map onto PagerDuty's four. */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  Critical: "critical",
  High: "error",
  Medium: "warning",
  Low: "info",
  Info: "info",
};

/** Options of the PagerDuty output. */
export interface PagerDutyOutputOptions {
  name: string;
  /** Integration key of the PagerDuty service. */
  routingKey: string;
  /** Events API endpoint (default {@linkcode PAGERDUTY_EVENTS_URL}). */
  url?: string;
  /** `payload.source` (default `iota`). */
  source?: string;
  timeoutMs?: number;
}

/** Creates the PagerDuty output. */
export function pagerDutyOutput(options: PagerDutyOutputOptions): Output {
  const url = options.url ?? PAGERDUTY_EVENTS_URL;
  return {
    name: options.name,
    type: "pagerduty",
    timeoutMs: options.timeoutMs,
    async send(alert: AlertRow, signal?: AbortSignal): Promise<void> {
      const body = JSON.stringify(pagerDutyEvent(alert, options));
      await postJson(url, body, { signal, timeoutMs: options.timeoutMs });
    },
  };
}

/** The Events API v2 trigger event for one alert. */
export function pagerDutyEvent(
  alert: AlertRow,
  options: { routingKey: string; source?: string },
): Record<string, unknown> {
  return {
    routing_key: options.routingKey,
    event_action: "trigger",
    dedup_key: alert.id,
    client: "iota",
    payload: {
      summary: truncate(alert.title, 1024),
      source: options.source ?? "iota",
      severity: PAGERDUTY_SEVERITY[alert.severity] ?? "error",
      timestamp: new Date(alert.firstEventTime).toISOString(),
      class: alert.ruleId,
      custom_details: {
        alert_id: alert.id,
        rule_id: alert.ruleId,
        severity: alert.severity,
        count: alert.matchCount,
        dedup: alert.dedup,
        first_event_time: new Date(alert.firstEventTime).toISOString(),
        last_event_time: new Date(alert.lastEventTime).toISOString(),
        description: alert.description,
        runbook: alert.runbook,
        reference: alert.reference,
        context: alert.context,
      },
    },
  };
}

/** Builds the PagerDuty output from its config entry. */
export function pagerDutyFromConfig(s: OutputSettings): Output {
  if (s.has("routing_key")) {
    s.fail(
      "routing_key",
      "a routing key is a secret: name an environment variable in routing_key_env",
    );
  }
  s.allowOnly(["routing_key_env", "url", "source"]);
  return pagerDutyOutput({
    name: s.name,
    routingKey: s.requiredSecret("routing_key_env"),
    url: s.has("url") ? s.url("url", null) : undefined,
    source: s.string("source"),
    timeoutMs: s.timeoutMs(),
  });
}
