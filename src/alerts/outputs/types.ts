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
  /** Delivers one alert; throws to request a retry. */
  send(alert: AlertRow, signal?: AbortSignal): Promise<void>;
}
