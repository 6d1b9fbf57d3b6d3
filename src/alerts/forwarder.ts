/**
 * Delivers queued alerts from the outbox. Each delivery is retried with
 * exponential backoff and jitter; one failing output never blocks another.
 * @module
 */
import type { Store } from "../store/db.ts";
import { getAlert } from "../store/alerts.ts";
import { dueDeliveries, markAttemptFailed, markDelivered } from "../store/outbox.ts";
import type { Output } from "./outputs/types.ts";
import { log } from "../log.ts";

/** Retry policy of deliveries. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Default retry policy: 8 tries over roughly half an hour. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 2000,
  maxDelayMs: 600_000,
};

/** Counts from one delivery pass. */
export interface DeliveryReport {
  delivered: number;
  retrying: number;
  failed: number;
}

/** Delivers every due outbox row once. */
export async function deliverDue(
  store: Store,
  outputs: ReadonlyMap<string, Output>,
  policy: RetryPolicy = DEFAULT_RETRY,
  now = Date.now(),
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  const rows = dueDeliveries(store, now);
  // Outputs run in parallel; deliveries to one output stay in order.
  const byOutput = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = byOutput.get(row.output) ?? [];
    list.push(row);
    byOutput.set(row.output, list);
  }
  await Promise.all([...byOutput.entries()].map(async ([name, list]) => {
    const output = outputs.get(name);
    for (const row of list) {
      const alert = getAlert(store, row.alertId);
      if (alert === null) continue;
      try {
        if (output === undefined) throw new Error(`output "${name}" is not configured`);
        await output.send(alert);
        markDelivered(store, row.id);
        report.delivered++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const attempts = row.attempts + 1;
        if (attempts >= policy.maxAttempts) {
          markAttemptFailed(store, row.id, message, null);
          report.failed++;
          log.error(`Cannot deliver alert "${alert.id}" to output "${name}": ${message}`, {
            attempts,
          });
        } else {
          const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** row.attempts);
          markAttemptFailed(store, row.id, message, Date.now() + delay * (0.5 + Math.random()));
          report.retrying++;
          log.warn(`Delivery of alert "${alert.id}" to output "${name}" failed, will retry`, {
            attempts,
            error: message,
          });
        }
      }
    }
  }));
  return report;
}
