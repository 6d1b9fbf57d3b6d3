/**
 * The `outbox` table: one row per (alert, output) delivery, written in the same
 * transaction as the alert, so a crash can neither lose nor invent a delivery.
 *
 * A forwarder claims a due row before sending by moving its next attempt past
 * the send's time limit (a lease). Two forwarders over one state file then
 * never send the same row at once, and a forwarder that dies mid-send leaves
 * the row to be picked up again when the lease runs out.
 * @module
 */
import type { Store } from "./db.ts";

/** Delivery states. */
export type DeliveryStatus = "pending" | "delivered" | "failed";

/** Delivery states, for validating user input. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "delivered", "failed"];

/** One delivery of one alert to one output. */
export interface OutboxRow {
  id: number;
  alertId: string;
  output: string;
  status: DeliveryStatus;
  /** Attempts made so far (failed ones and the successful one). */
  attempts: number;
  /** When a pending delivery is next due (epoch ms). */
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

interface RawOutboxRow {
  id: number;
  alert_id: string;
  output: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

const COLUMNS =
  "id, alert_id, output, status, attempts, next_attempt_at, last_error, created_at, delivered_at";

function fromRaw(r: RawOutboxRow): OutboxRow {
  return {
    id: r.id,
    alertId: r.alert_id,
    output: r.output,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

/** Queues deliveries of an alert; an existing (alert, output) row is kept as is. */
export function enqueueDeliveries(
  store: Store,
  alertId: string,
  outputs: readonly string[],
  now = Date.now(),
): void {
  const insert = store.db.prepare(
    `INSERT OR IGNORE INTO outbox (alert_id, output, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, 'pending', 0, ?, ?)`,
  );
  for (const output of outputs) insert.run(alertId, output, now, now);
}

/** Filters of {@linkcode dueDeliveries}. */
export interface DueOptions {
  /** Only deliveries to this output. */
  output?: string;
  /** Only deliveries of this alert. */
  alertId?: string;
  /** At most this many rows (default 500). */
  limit?: number;
}

/** Pending deliveries whose next attempt is due, oldest first. */
export function dueDeliveries(
  store: Store,
  now = Date.now(),
  options: DueOptions = {},
): OutboxRow[] {
  const rows = store.db.prepare(
    `SELECT ${COLUMNS} FROM outbox
     WHERE status = 'pending' AND next_attempt_at <= ? AND (? IS NULL OR output = ?)
       AND (? IS NULL OR alert_id = ?)
     ORDER BY id LIMIT ?`,
  ).all(
    now,
    options.output ?? null,
    options.output ?? null,
    options.alertId ?? null,
    options.alertId ?? null,
    options.limit ?? 500,
  ) as unknown as RawOutboxRow[];
  return rows.map(fromRaw);
}

/** Names of outputs that have at least one due delivery. */
export function outputsWithDueDeliveries(store: Store, now = Date.now()): string[] {
  const rows = store.db.prepare(
    `SELECT DISTINCT output FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
     ORDER BY output`,
  ).all(now) as unknown as { output: string }[];
  return rows.map((r) => r.output);
}

/**
 * Claims a due delivery until `leaseUntil`. Returns false when it is no longer
 * due (delivered, given up, or claimed by another forwarder meanwhile).
 */
export function claimDelivery(store: Store, id: number, now: number, leaseUntil: number): boolean {
  const r = store.db.prepare(
    `UPDATE outbox SET next_attempt_at = ?
     WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
  ).run(leaseUntil, id, now);
  return Number(r.changes) === 1;
}

/** Makes a claimed delivery due again at `at` without counting an attempt (e.g. on shutdown). */
export function releaseDelivery(store: Store, id: number, at = Date.now()): void {
  store.db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'")
    .run(at, id);
}

/** Marks a delivery done. */
export function markDelivered(store: Store, id: number, now = Date.now()): void {
  store.db.prepare(
    `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
       last_error = NULL WHERE id = ?`,
  ).run(now, id);
}

/** Records a failed attempt: retried at `nextAttemptAt`, or given up when that is null. */
export function markAttemptFailed(
  store: Store,
  id: number,
  error: string,
  nextAttemptAt: number | null,
): void {
  store.db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?,
       status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = coalesce(?, next_attempt_at) WHERE id = ?`,
  ).run(error.slice(0, 1000), nextAttemptAt, nextAttemptAt, id);
}

/** Delivery rows of one alert, by output name. */
export function deliveriesOf(store: Store, alertId: string): OutboxRow[] {
  const rows = store.db.prepare(
    `SELECT ${COLUMNS} FROM outbox WHERE alert_id = ? ORDER BY output`,
  ).all(alertId) as unknown as RawOutboxRow[];
  return rows.map(fromRaw);
}

/** Which deliveries {@linkcode retryDeliveries} resets. */
export interface RetryScope {
  /** Only this alert's failed deliveries; otherwise every failed delivery. */
  alertId?: string;
}

/**
 * Makes failed deliveries pending again with a fresh attempt count, due at
 * `now`. Pending ones are left alone: one may be in flight in another
 * forwarder right now, and making it due again could send it twice.
 * Returns the number of rows reset.
 */
export function retryDeliveries(store: Store, scope: RetryScope, now = Date.now()): number {
  const r = store.db.prepare(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?
     WHERE status = 'failed' AND (? IS NULL OR alert_id = ?)`,
  ).run(now, scope.alertId ?? null, scope.alertId ?? null);
  return Number(r.changes);
}

/** Number of deliveries in each state. */
export function deliveryCounts(store: Store): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
  const rows = store.db.prepare("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    .all() as unknown as { status: DeliveryStatus; n: number }[];
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}
