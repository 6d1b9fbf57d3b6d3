/**
 * Writes alerts to standard output: a readable block, or one JSON line each.
 * @module
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import { formatEventTime } from "../format.ts";

/** Options of the stdout output. */
export interface StdoutOutputOptions {
  name?: string;
  format: "text" | "json";
}

const encoder = new TextEncoder();

/** Creates the stdout output. */
export function stdoutOutput(options: StdoutOutputOptions): Output {
  return {
    name: options.name ?? "stdout",
    type: "stdout",
    send(alert: AlertRow): Promise<void> {
      const text = options.format === "json"
        ? JSON.stringify(alertJson(alert)) + "\n"
        : formatAlertText(alert);
      Deno.stdout.writeSync(encoder.encode(text));
      return Promise.resolve();
    },
  };
}

/** The JSON shape of an alert as outputs send it. */
export function alertJson(alert: AlertRow): Record<string, unknown> {
  return {
    type: "alert",
    id: alert.id,
    rule_id: alert.ruleId,
    severity: alert.severity,
    title: alert.title,
    dedup: alert.dedup,
    description: alert.description,
    reference: alert.reference,
    runbook: alert.runbook,
    first_event_time: new Date(alert.firstEventTime).toISOString(),
    last_event_time: new Date(alert.lastEventTime).toISOString(),
    count: alert.matchCount,
    context: alert.context,
    sample_row_ids: alert.sampleRowIds,
    destinations: alert.destinations,
  };
}

/** A few readable lines for one alert. */
export function formatAlertText(alert: AlertRow): string {
  const lines = [
    `[${alert.severity.toUpperCase()}] ${alert.title}`,
    `  rule: ${alert.ruleId}  events: ${alert.matchCount}  first: ${
      formatEventTime(alert.firstEventTime)
    }  last: ${formatEventTime(alert.lastEventTime)}`,
  ];
  if (alert.context && Object.keys(alert.context).length > 0) {
    const parts = Object.entries(alert.context)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .slice(0, 8)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    if (parts.length > 0) lines.push(`  context: ${parts.join("  ")}`);
  }
  if (alert.runbook) lines.push(`  runbook: ${alert.runbook.split("\n")[0]}`);
  lines.push(`  alert: ${alert.id}`);
  return lines.join("\n") + "\n\n";
}
