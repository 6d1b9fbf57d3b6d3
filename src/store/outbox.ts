/**
 * The `outbox` table: one row per (alert, output) delivery, written in the same
 * transaction as the alert, so a crash can neither lose nor invent a delivery.
 * @module
 */
import type { Store } from "./db.ts";

/** Delivery states. */
export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One delivery of one alert to one output. */
export interface OutboxRow {
  id: number;
  alertId: string;
  output: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

interface RawOutboxRow {
  id: number;
  alert_id: string;
  output: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const COLUMNS = "id, alert_id, output, status, attempts, next_attempt_at, last_error";

function fromRaw(r: RawOutboxRow): OutboxRow {
  return {
    id: r.id,
    alertId: r.alert_id,
    output: r.output,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
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

/** Pending deliveries whose next attempt is due, oldest first. */
export function dueDeliveries(store: Store, now = Date.now(), limit = 500): OutboxRow[] {
  const rows = store.db.prepare(
    `SELECT ${COLUMNS} FROM outbox
     WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
  ).all(now, limit) as unknown as RawOutboxRow[];
  return rows.map(fromRaw);
}

/** Marks a delivery done. */
export function markDelivered(store: Store, id: number, now = Date.now()): void {
  store.db.prepare(
    "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?",
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

/** Delivery rows of one alert. */
export function deliveriesOf(store: Store, alertId: string): OutboxRow[] {
  const rows = store.db.prepare(
    `SELECT ${COLUMNS} FROM outbox
     WHERE alert_id = ? ORDER BY output`,
  ).all(alertId) as unknown as RawOutboxRow[];
  return rows.map(fromRaw);
}
