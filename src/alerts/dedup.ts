/**
 * Folds rule matches into alerts. Key = (rule, dedup string); a window of
 * DedupPeriodMinutes opens at the first matching event's time (event time, so
 * backfill and live runs agree). An alert fires once its window holds
 * Threshold matches. Windows never overlap: an event older than an open window
 * joins it when it is less than one period older, else opens its own window.
 * @module
 */
import { createHash } from "node:crypto";
import type { Store } from "../store/db.ts";
import type { RuleMatch, RuleMeta } from "../rules/types.ts";
import { type AlertRow, alertWindowsAround, saveAlert } from "../store/alerts.ts";
import { enqueueDeliveries } from "../store/outbox.ts";

/** Sample events kept per alert. */
export const DEFAULT_SAMPLE_SIZE = 10;

/** Where alerts go and how many samples they keep. */
export interface DedupOptions {
  /** Output names configured and usable. */
  outputs: ReadonlySet<string>;
  /** Outputs used when a rule names none. */
  defaultOutputs: readonly string[];
  sampleSize?: number;
  now?: number;
}

/** What applying a set of matches changed. */
export interface DedupResult {
  /** Alerts that fired during this call (to be delivered). */
  fired: AlertRow[];
  /** Alert windows created or extended. */
  touched: number;
}

/** Deterministic alert id: re-processing the same events yields the same id. */
export function alertId(ruleId: string, dedup: string, windowStart: number): string {
  return createHash("sha1").update(`${ruleId}\u0000${dedup}\u0000${windowStart}`).digest("hex")
    .slice(0, 20);
}

/**
 * Applies matches to the alert table and queues deliveries for alerts that
 * fire. Call inside the object's transaction.
 */
export function applyMatches(
  store: Store,
  matches: readonly RuleMatch[],
  rules: ReadonlyMap<string, RuleMeta>,
  options: DedupOptions,
): DedupResult {
  const now = options.now ?? Date.now();
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  // Event-time order makes windows independent of batch and worker order.
  const ordered = [...matches].sort((a, b) =>
    a.eventTime - b.eventTime || (a.rowId < b.rowId ? -1 : a.rowId > b.rowId ? 1 : 0)
  );
  const fired: AlertRow[] = [];
  const touched = new Set<string>();
  for (const m of ordered) {
    const rule = rules.get(m.ruleId);
    if (rule === undefined) continue;
    const periodMs = Math.max(1, rule.dedupPeriodMinutes) * 60_000;
    const windows = alertWindowsAround(store, m.ruleId, m.dedup, m.eventTime, periodMs);
    let alert = windows.find((w) => w.windowStart <= m.eventTime && m.eventTime < w.windowEnd);
    if (alert === undefined) {
      const next = windows.find((w) => w.windowStart > m.eventTime);
      if (next !== undefined && next.windowStart - m.eventTime < periodMs) {
        // A late event less than one period before a window joins it, so files that
        // arrive out of order do not split one incident into two alerts.
        alert = next;
      } else {
        alert = openWindow(m, rule, m.eventTime + periodMs, now);
      }
    }
    if (alert.sampleRowIds.includes(m.rowId)) continue; // the same event seen again
    alert.matchCount++;
    alert.firstEventTime = Math.min(alert.firstEventTime, m.eventTime);
    alert.lastEventTime = Math.max(alert.lastEventTime, m.eventTime);
    if (alert.sampleRowIds.length < sampleSize) {
      alert.sampleRowIds.push(m.rowId);
      alert.sampleEvents.push(m.eventJson);
    }
    alert.updatedAt = now;
    if (!alert.fired && rule.createAlert && alert.matchCount >= rule.threshold) {
      alert.fired = true;
      alert.createdAt = now;
      alert.destinations = routeAlert(alert.destinations, rule, options);
      saveAlert(store, alert);
      enqueueDeliveries(store, alert.id, alert.destinations, now);
      fired.push(alert);
    } else {
      saveAlert(store, alert);
    }
    touched.add(alert.id);
  }
  return { fired, touched: touched.size };
}

function openWindow(m: RuleMatch, rule: RuleMeta, windowEnd: number, now: number): AlertRow {
  return {
    id: alertId(m.ruleId, m.dedup, m.eventTime),
    ruleId: m.ruleId,
    dedup: m.dedup,
    severity: m.severity,
    title: m.title,
    description: m.description ?? rule.description,
    reference: m.reference ?? rule.reference,
    runbook: m.runbook ?? rule.runbook,
    windowStart: m.eventTime,
    windowEnd,
    firstEventTime: m.eventTime,
    lastEventTime: m.eventTime,
    matchCount: 0,
    fired: false,
    context: m.context,
    sampleRowIds: [],
    sampleEvents: [],
    destinations: m.destinations,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Outputs for an alert: `destinations()` names, else the rule's OutputIds,
 * else the defaults; names that are not configured are dropped.
 */
export function routeAlert(
  destinations: readonly string[] | null,
  rule: RuleMeta,
  options: DedupOptions,
): string[] {
  const wanted = destinations && destinations.length > 0
    ? destinations
    : rule.outputIds.length > 0
    ? rule.outputIds
    : options.defaultOutputs;
  const known = wanted.filter((n) => options.outputs.has(n));
  return known.length > 0 ? [...new Set(known)] : [...options.defaultOutputs];
}
