/**
 * The JSON shape of an alert, shared by every output that sends JSON (stdout
 * `--json`, file, webhook, SNS, SQS, `iota alerts list --json`), so consumers
 * see one format wherever an alert comes from.
 * @module
 */
import type { AlertRow } from "../store/alerts.ts";

/** The JSON body of an alert as outputs send it. Sample events are referenced by row id. */
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
    created_at: new Date(alert.createdAt).toISOString(),
  };
}

/**
 * Up to `max` non-empty context entries as display strings, for outputs that
 * show a few fields rather than the whole context.
 */
export function contextFields(alert: AlertRow, max: number): [string, string][] {
  if (alert.context === null) return [];
  return Object.entries(alert.context)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .slice(0, max)
    .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

/** Cuts `text` to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + "…";
}
