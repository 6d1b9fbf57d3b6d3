/**
 * Delivers queued alerts from the outbox. Each output is delivered on its own
 * lane with its own time limit, so a slow or failing output never holds up
 * another. A failed try is retried with exponential backoff and jitter; the
 * attempt count and next time live in the outbox row, so a restarted iota
 * carries on where it stopped. After the last try the delivery is `failed`
 * (see `iota alerts list --status failed`, `iota alerts retry`).
 *
 * Delivery is at least once: a crash between an output accepting an alert and
 * the outbox recording it sends that alert again after restart. Receivers can
 * drop repeats by alert id (PagerDuty does so through `dedup_key`).
 * @module
 */
import type { Store } from "../store/db.ts";
import { abortableSleep } from "../abortable_sleep.ts";
import { getAlert } from "../store/alerts.ts";
import {
  claimDelivery,
  dueDeliveries,
  markAttemptFailed,
  markDelivered,
  type OutboxRow,
  outputsWithDueDeliveries,
  releaseDelivery,
} from "../store/outbox.ts";
import { DeliveryRejectedError, type Output } from "./outputs/types.ts";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
import { log } from "../log.ts";

export { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";

/** Time limit of one delivery for outputs that set none. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * How much longer than its time limit a delivery stays claimed. Covers the
 * outbox write after the send; a forwarder that died mid-send frees the row
 * after time limit + grace.
 */
export const DEFAULT_CLAIM_GRACE_MS = 10_000;

/** Rows one lane reads at a time. */
const LANE_BATCH = 100;

/** Counts from delivering. */
export interface DeliveryReport {
  delivered: number;
  /** Failed tries that will be retried. */
  retrying: number;
  /** Deliveries given up. */
  failed: number;
}

/** Options shared by {@linkcode deliverDue} and {@linkcode runForwarder}. */
export interface DeliveryOptions {
  policy?: RetryPolicy;
  /** Stops delivering; a send in flight is abandoned and stays due, without counting a try. */
  signal?: AbortSignal;
  /** Time limit of one delivery for outputs without `timeoutMs`. */
  sendTimeoutMs?: number;
  /** Claim length beyond the time limit (see {@linkcode DEFAULT_CLAIM_GRACE_MS}). */
  claimGraceMs?: number;
}

/**
 * Delivers every delivery due now (of one alert with `alertId`), once: all
 * outputs concurrently, each output's deliveries in order. Resolves when
 * every output has had its turn. Long-running use wants
 * {@linkcode runForwarder}, where outputs do not even wait for each other's turn.
 *
 * @example
 * const report = await deliverDue(store, outputs, { policy: cfg.delivery });
 */
export async function deliverDue(
  store: Store,
  outputs: ReadonlyMap<string, Output>,
  options: DeliveryOptions & { now?: number; alertId?: string } = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  const rows = dueDeliveries(store, options.now ?? Date.now(), { alertId: options.alertId });
  const byOutput = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const list = byOutput.get(row.output) ?? [];
    list.push(row);
    byOutput.set(row.output, list);
  }
  await Promise.all([...byOutput.entries()].map(async ([name, list]) => {
    for (const row of list) {
      if (options.signal?.aborted) return;
      count(report, await deliverOne(store, row, outputs.get(name), name, options));
    }
  }));
  return report;
}

/** Options of {@linkcode runForwarder}. */
export interface ForwarderOptions extends DeliveryOptions {
  /** How often the outbox is checked for due deliveries (default 1000 ms). */
  pollMs?: number;
  /** Called after each delivery outcome. */
  onReport?: (report: DeliveryReport) => void;
}

/**
 * Delivers due deliveries until `signal` aborts: checks the outbox every
 * `pollMs` and runs one lane per output with due rows, so outputs never wait
 * for each other. Picks up rows left pending by an earlier run. Resolves once
 * stopped and every lane has ended.
 *
 * @example
 * const stop = new AbortController();
 * const forwarder = runForwarder(store, outputs, { signal: stop.signal, policy: cfg.delivery });
 * // …
 * stop.abort();
 * await forwarder;
 */
export async function runForwarder(
  store: Store,
  outputs: ReadonlyMap<string, Output>,
  options: ForwarderOptions = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 1000;
  const lanes = new Map<string, Promise<void>>();
  const total: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  while (!options.signal?.aborted) {
    let names: string[] = [];
    try {
      names = outputsWithDueDeliveries(store);
    } catch (err) {
      // A busy or briefly unavailable state file: try again at the next poll.
      log.warn(`Cannot read the outbox: ${err instanceof Error ? err.message : err}`);
    }
    for (const name of names) {
      if (lanes.has(name)) continue;
      const lane = runLane(store, name, outputs.get(name), options, (outcome) => {
        count(total, outcome);
        options.onReport?.({ ...total });
      }).finally(() => lanes.delete(name));
      lanes.set(name, lane);
    }
    await abortableSleep(pollMs, options.signal);
  }
  await Promise.allSettled(lanes.values());
}

/** Delivers one output's due rows until none is due. */
async function runLane(
  store: Store,
  name: string,
  output: Output | undefined,
  options: DeliveryOptions,
  onOutcome: (outcome: Outcome) => void,
): Promise<void> {
  try {
    while (!options.signal?.aborted) {
      const rows = dueDeliveries(store, Date.now(), { output: name, limit: LANE_BATCH });
      if (rows.length === 0) return;
      let progressed = false;
      for (const row of rows) {
        if (options.signal?.aborted) return;
        const outcome = await deliverOne(store, row, output, name, options);
        if (outcome !== "skipped") progressed = true;
        onOutcome(outcome);
      }
      // Every row was claimed elsewhere: leave them to the other forwarder.
      if (!progressed) return;
    }
  } catch (err) {
    log.warn(`Delivery to output "${name}" stopped: ${err instanceof Error ? err.message : err}`);
  }
}

type Outcome = "delivered" | "retrying" | "failed" | "skipped";

function count(report: DeliveryReport, outcome: Outcome): void {
  if (outcome !== "skipped") report[outcome]++;
}

/** One try of one delivery, recorded in the outbox. */
async function deliverOne(
  store: Store,
  row: OutboxRow,
  output: Output | undefined,
  name: string,
  options: DeliveryOptions,
): Promise<Outcome> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const timeoutMs = output?.timeoutMs ?? options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const start = Date.now();
  const lease = start + timeoutMs + (options.claimGraceMs ?? DEFAULT_CLAIM_GRACE_MS);
  if (!claimDelivery(store, row.id, start, lease)) return "skipped";
  const alert = getAlert(store, row.alertId);
  if (alert === null) {
    markAttemptFailed(store, row.id, "the alert no longer exists", null);
    return "failed";
  }
  let error: unknown = null;
  try {
    if (output === undefined) throw new Error(`output "${name}" is not configured`);
    await sendWithin(output, alert, timeoutMs, options.signal);
  } catch (err) {
    error = err;
  }
  if (error === null) {
    markDelivered(store, row.id);
    log.debug(`Delivered alert "${alert.id}" to output "${name}"`, { attempts: row.attempts + 1 });
    return "delivered";
  }
  if (options.signal?.aborted) {
    // Stopping is not the output's fault: the row is due again at once, e.g. after a restart.
    releaseDelivery(store, row.id);
    return "skipped";
  }
  const message = error instanceof Error ? error.message : String(error);
  const attempts = row.attempts + 1;
  if (attempts >= policy.maxAttempts || error instanceof DeliveryRejectedError) {
    markAttemptFailed(store, row.id, message, null);
    log.error(`Cannot deliver alert "${alert.id}" to output "${name}": ${message}`, { attempts });
    return "failed";
  }
  markAttemptFailed(store, row.id, message, Date.now() + backoffDelay(policy, attempts));
  log.warn(`Cannot deliver alert "${alert.id}" to output "${name}", will retry: ${message}`, {
    attempts,
  });
  return "retrying";
}

/**
 * Runs `output.send` with a time limit. The output gets a signal that aborts
 * at the limit or on shutdown; an output that ignores it is abandoned anyway.
 */
async function sendWithin(
  output: Output,
  alert: Parameters<Output["send"]>[0],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onStop = () => {};
  const stopped = new Promise<never>((_, reject) => {
    const fail = (reason: Error) => {
      ctrl.abort(reason);
      reject(reason);
    };
    timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    onStop = () => fail(new Error("stopped"));
    if (signal?.aborted) onStop();
    signal?.addEventListener("abort", onStop, { once: true });
  });
  // The loser of the race may still settle later; nobody awaits it then.
  stopped.catch(() => {});
  try {
    const sending = output.send(alert, ctrl.signal);
    sending.catch(() => {});
    await Promise.race([sending, stopped]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onStop);
  }
}
