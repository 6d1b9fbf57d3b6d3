/**
 * The `alerts` table. An alert row is one dedup window of one (rule, dedup) key;
 * `fired` is set once the window holds Threshold matches. Rows that have not
 * fired keep the pending count of their window. Delivery state lives in the
 * outbox, one row per output.
 * @module
 */
import type { Store } from "./db.ts";
import type { Severity } from "../rules/types.ts";

/** One alert (or pending dedup window) as stored. */
export interface AlertRow {
  id: string;
  ruleId: string;
  dedup: string;
  severity: Severity;
  title: string;
  description: string | null;
  reference: string | null;
  runbook: string | null;
  windowStart: number;
  windowEnd: number;
  firstEventTime: number;
  lastEventTime: number;
  matchCount: number;
  fired: boolean;
  context: Record<string, unknown> | null;
  sampleRowIds: string[];
  /** Sample events as their JSON lines. */
  sampleEvents: string[];
  destinations: string[] | null;
  createdAt: number;
  updatedAt: number;
}

interface RawAlertRow {
  id: string;
  rule_id: string;
  dedup: string;
  severity: string;
  title: string;
  description: string | null;
  reference: string | null;
  runbook: string | null;
  window_start: number;
  window_end: number;
  first_event_time: number;
  last_event_time: number;
  match_count: number;
  fired: number;
  context: string | null;
  sample_row_ids: string;
  sample_events: string;
  destinations: string | null;
  created_at: number;
  updated_at: number;
}

function fromRaw(r: RawAlertRow): AlertRow {
  return {
    id: r.id,
    ruleId: r.rule_id,
    dedup: r.dedup,
    severity: r.severity as Severity,
    title: r.title,
    description: r.description,
    reference: r.reference,
    runbook: r.runbook,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    firstEventTime: r.first_event_time,
    lastEventTime: r.last_event_time,
    matchCount: r.match_count,
    fired: r.fired === 1,
    context: r.context === null ? null : JSON.parse(r.context),
    sampleRowIds: JSON.parse(r.sample_row_ids),
    sampleEvents: JSON.parse(r.sample_events),
    destinations: r.destinations === null ? null : JSON.parse(r.destinations),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The windows of a key that could hold `eventTime`, plus its neighbours, ordered by start. */
export function alertWindowsAround(
  store: Store,
  ruleId: string,
  dedup: string,
  eventTime: number,
  periodMs: number,
): AlertRow[] {
  const rows = store.db.prepare(
    `SELECT * FROM alerts WHERE rule_id = ? AND dedup = ? AND window_start <= ? AND window_end > ?
     ORDER BY window_start`,
  ).all(ruleId, dedup, eventTime + periodMs, eventTime - periodMs) as unknown as RawAlertRow[];
  return rows.map(fromRaw);
}

/** Inserts an alert row or updates every column of an existing one. */
export function saveAlert(store: Store, a: AlertRow): void {
  store.db.prepare(
    `INSERT INTO alerts (id, rule_id, dedup, severity, title, description, reference,
       runbook, window_start, window_end, first_event_time, last_event_time, match_count, fired,
       context, sample_row_ids, sample_events, destinations, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, title = excluded.title,
       description = excluded.description, reference = excluded.reference,
       runbook = excluded.runbook, window_start = excluded.window_start,
       window_end = excluded.window_end, first_event_time = excluded.first_event_time,
       last_event_time = excluded.last_event_time, match_count = excluded.match_count,
       fired = excluded.fired, context = excluded.context,
       sample_row_ids = excluded.sample_row_ids, sample_events = excluded.sample_events,
       destinations = excluded.destinations, created_at = excluded.created_at,
       updated_at = excluded.updated_at`,
  ).run(
    a.id,
    a.ruleId,
    a.dedup,
    a.severity,
    a.title,
    a.description,
    a.reference,
    a.runbook,
    a.windowStart,
    a.windowEnd,
    a.firstEventTime,
    a.lastEventTime,
    a.matchCount,
    a.fired ? 1 : 0,
    a.context === null ? null : JSON.stringify(a.context),
    JSON.stringify(a.sampleRowIds),
    JSON.stringify(a.sampleEvents),
    a.destinations === null ? null : JSON.stringify(a.destinations),
    a.createdAt,
    a.updatedAt,
  );
}

/** Reads one alert by id. */
export function getAlert(store: Store, id: string): AlertRow | null {
  const r = store.db.prepare("SELECT * FROM alerts WHERE id = ?").get(id) as
    | RawAlertRow
    | undefined;
  return r === undefined ? null : fromRaw(r);
}

/** Delivery state of a whole alert: the worst of its deliveries; `none` when it has none. */
export type AlertDeliveryStatus = "pending" | "delivered" | "failed" | "none";

/** An alert as listed, with its delivery state. */
export interface ListedAlert extends AlertRow {
  deliveryStatus: AlertDeliveryStatus;
}

/** Filters of {@linkcode listAlerts}. */
export interface AlertFilter {
  ruleId?: string;
  /** Only these severities. */
  severities?: readonly Severity[];
  /** Only alerts with an event at or after this time (epoch ms, event time). */
  since?: number;
  /** Only alerts in this delivery state. */
  status?: AlertDeliveryStatus;
  /** List dedup windows that have not fired (below Threshold, or CreateAlert false) instead. */
  unfired?: boolean;
  /** At most this many (default 100). */
  limit?: number;
}

/** Lists fired alerts (or windows that have not fired), newest first. */
export function listAlerts(store: Store, filter: AlertFilter = {}): ListedAlert[] {
  const rows = store.db.prepare(
    `SELECT * FROM (
       SELECT a.*, CASE
         WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND o.status = 'failed')
           THEN 'failed'
         WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND o.status = 'pending')
           THEN 'pending'
         WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id) THEN 'delivered'
         ELSE 'none' END AS delivery_status
       FROM alerts a
       WHERE a.fired = ? AND (? IS NULL OR a.rule_id = ?)
         AND (? IS NULL OR a.severity IN (SELECT value FROM json_each(?)))
         AND (? IS NULL OR a.last_event_time >= ?))
     WHERE (? IS NULL OR delivery_status = ?)
     ORDER BY ${filter.unfired ? "updated_at" : "created_at"} DESC, first_event_time DESC
     LIMIT ?`,
  ).all(
    filter.unfired ? 0 : 1,
    filter.ruleId ?? null,
    filter.ruleId ?? null,
    filter.severities === undefined ? null : 1,
    JSON.stringify(filter.severities ?? []),
    filter.since ?? null,
    filter.since ?? null,
    filter.status ?? null,
    filter.status ?? null,
    filter.limit ?? 100,
  ) as unknown as (RawAlertRow & { delivery_status: AlertDeliveryStatus })[];
  return rows.map((r) => ({ ...fromRaw(r), deliveryStatus: r.delivery_status }));
}

/** Number of fired alerts. */
export function countFiredAlerts(store: Store): number {
  const r = store.db.prepare("SELECT count(*) AS n FROM alerts WHERE fired = 1").get() as {
    n: number;
  };
  return r.n;
}
