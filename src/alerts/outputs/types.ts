/**
 * The one interface every alert output implements.
 * @module
 */
import type { AlertRow } from "../../store/alerts.ts";

/** A configured destination for alerts. */
export interface Output {
  /** Name used in routing (`OutputIds`, `destinations()`, `default_outputs`). */
  readonly name: string;
  /** Output type, e.g. `stdout`. */
  readonly type: string;
  /** Longest one delivery may take before it counts as a failed try (ms). */
  readonly timeoutMs?: number;
  /**
   * Delivers one alert; throws to request a retry, or throws
   * {@linkcode DeliveryRejectedError} when retrying cannot help. Should stop
   * when `signal` aborts.
   */
  send(alert: AlertRow, signal?: AbortSignal): Promise<void>;
  /** Releases clients and connections; the output is not used afterwards. */
  close?(): void | Promise<void>;
}

/**
 * The destination refused the alert for a reason that a retry will not change
 * (e.g. HTTP 400 or 403): the delivery is given up at once.
 */
export class DeliveryRejectedError extends Error {
  override name = "DeliveryRejectedError";
}
