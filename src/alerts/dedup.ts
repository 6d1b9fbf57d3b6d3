/**
 * Folds rule matches into alerts. Key = (rule, dedup string); a window of
 * DedupPeriodMinutes opens at the first matching event's time (event time, so
 * backfill and live runs agree). An alert fires once its window holds
 * Threshold matches; until then the window keeps a pending count and is not
 * an alert. Windows of `CreateAlert: false` rules count their matches but
 * never fire.
 *
 * Late events: an event that falls inside an existing window joins it, even
 * when a newer window of the key is open. Windows never overlap: an event
 * less than one period before a window's start joins that window, whose start
 * then moves back to the event, as if the event had arrived in order.
 * @module
 */
import { createHash } from "node:crypto";
import type { Store } from "../store/db.ts";
import type { RuleMatch, RuleMeta } from "../rules/types.ts";
import { type AlertRow, alertWindowsAround, saveAlert } from "../store/alerts.ts";
import { enqueueDeliveries } from "../store/outbox.ts";
import { log } from "../log.ts";

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
  /**
   * Matches counted in windows that have not fired: below Threshold, or of a
   * `CreateAlert: false` rule.
   */
  pending: number;
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
  let pending = 0;
  for (const m of ordered) {
    const rule = rules.get(m.ruleId);
    if (rule === undefined) continue;
    const periodMs = Math.max(1, rule.dedupPeriodMinutes) * 60_000;
    const alert = windowFor(store, m, rule, periodMs, now);
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
      if (!alert.fired) pending++;
      saveAlert(store, alert);
    }
    touched.add(alert.id);
  }
  return { fired, touched: touched.size, pending };
}

/** The window a match belongs to: an existing one (moved back for a late event) or a new one. */
function windowFor(
  store: Store,
  m: RuleMatch,
  rule: RuleMeta,
  periodMs: number,
  now: number,
): AlertRow {
  const windows = alertWindowsAround(store, m.ruleId, m.dedup, m.eventTime, periodMs);
  const inside = windows.find((w) => w.windowStart <= m.eventTime && m.eventTime < w.windowEnd);
  if (inside !== undefined) return inside;
  const next = windows.find((w) => w.windowStart > m.eventTime);
  if (next !== undefined && next.windowStart - m.eventTime < periodMs) {
    // The window starts at its first event, so it moves back to this one; its
    // end moves with it but never before an event it already counts. The
    // previous window ended at or before this event, so none overlap.
    next.windowStart = m.eventTime;
    next.windowEnd = Math.max(m.eventTime + periodMs, next.lastEventTime + 1);
    return next;
  }
  return openWindow(m, rule, m.eventTime + periodMs, now);
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

/** The `destinations()` name that suppresses delivery of an alert. */
export const SKIP_DELIVERY = "SKIP";

/**
 * Outputs for an alert: `destinations()` names, else the rule's OutputIds,
 * else the defaults. Names that are not configured (only `destinations()` can
 * produce them once routing was validated at start) are dropped with a
 * warning; when none is left the alert goes to the defaults. A `destinations()`
 * list holding `SKIP` records the alert but delivers it nowhere, as in Panther.
 */
export function routeAlert(
  destinations: readonly string[] | null,
  rule: RuleMeta,
  options: DedupOptions,
): string[] {
  if (destinations?.includes(SKIP_DELIVERY)) return [];
  const wanted = destinations && destinations.length > 0
    ? destinations
    : rule.outputIds.length > 0
    ? rule.outputIds
    : options.defaultOutputs;
  const unknown = wanted.filter((n) => !options.outputs.has(n));
  if (unknown.length > 0) {
    log.warn(`Rule "${rule.id}" routes to outputs that are not configured: ${unknown.join(", ")}`);
  }
  const known = wanted.filter((n) => options.outputs.has(n));
  return known.length > 0 ? [...new Set(known)] : [...options.defaultOutputs];
}
