/**
 * Writes alerts to standard output: a readable block, or one JSON line each.
 *
 * Config keys: `format` (`text`, the default, or `json`).
 * @module
 */
import type { AlertRow } from "../../store/alerts.ts";
import type { Output } from "./types.ts";
import type { OutputSettings } from "./_config.ts";
import { formatEventTime } from "../format.ts";
import { alertJson, contextFields, truncate } from "../payload.ts";

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

/** Builds the stdout output from its config entry. */
export function stdoutFromConfig(s: OutputSettings): Output {
  s.allowOnly(["format"]);
  return stdoutOutput({ name: s.name, format: s.choice("format", ["text", "json"], "text") });
}

/** A few readable lines for one alert. */
export function formatAlertText(alert: AlertRow): string {
  const lines = [
    `[${alert.severity.toUpperCase()}] ${alert.title}`,
    `  rule: ${alert.ruleId}  events: ${alert.matchCount}  first: ${
      formatEventTime(alert.firstEventTime)
    }  last: ${formatEventTime(alert.lastEventTime)}`,
  ];
  // Long values (user agents, policies) are cut so each alert stays a few readable lines.
  const parts = contextFields(alert, 8).map(([k, v]) => `${k}=${truncate(v, 60)}`);
  if (parts.length > 0) lines.push(`  context: ${parts.join("  ")}`);
  if (alert.runbook) lines.push(`  runbook: ${alert.runbook.split("\n")[0]}`);
  lines.push(`  alert: ${alert.id}`);
  return lines.join("\n") + "\n\n";
}
