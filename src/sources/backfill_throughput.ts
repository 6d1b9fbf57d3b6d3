/**
 * Measured backfill throughput, kept in the state database so `--dry-run` can
 * estimate a duration from what this machine actually did last time.
 * @module
 */
import type { Store } from "../store/db.ts";
import { getCheckpoint, setCheckpoint } from "../store/checkpoints.ts";

const SCOPE = "backfill.throughput";
const KEY = "last";

/**
 * Source bytes (as listed, i.e. compressed) per second when nothing was
 * measured yet: `iota backfill` of the generated corpus (scripts/gen_corpus.ts)
 * on a 2-core machine with the bundled rules (docs/lake.md).
 */
export const DEFAULT_BYTES_PER_SEC = 3_000_000;

/** Runs shorter than this are too noisy to keep as the estimate. */
const MIN_MEASURED_BYTES = 1_000_000;

/** A throughput figure and where it came from. */
export interface Throughput {
  bytesPerSec: number;
  eventsPerSec: number | null;
  source: "measured" | "default";
  measuredAt: number | null;
}

/** The last measured throughput, or the default. */
export function readThroughput(store: Store): Throughput {
  const raw = getCheckpoint(store, SCOPE, KEY);
  if (raw !== undefined) {
    try {
      const v = JSON.parse(raw) as {
        bytes_per_sec?: unknown;
        events_per_sec?: unknown;
        at?: unknown;
      };
      if (typeof v.bytes_per_sec === "number" && v.bytes_per_sec > 0) {
        return {
          bytesPerSec: v.bytes_per_sec,
          eventsPerSec: typeof v.events_per_sec === "number" ? v.events_per_sec : null,
          source: "measured",
          measuredAt: typeof v.at === "number" ? v.at : null,
        };
      }
    } catch {
      // Fall through to the default: an estimate is only advice.
    }
  }
  return {
    bytesPerSec: DEFAULT_BYTES_PER_SEC,
    eventsPerSec: null,
    source: "default",
    measuredAt: null,
  };
}

/** Stores the throughput of a finished run when it processed enough to be meaningful. */
export function recordThroughput(
  store: Store,
  run: { bytes: number; events: number; seconds: number },
): void {
  if (run.bytes < MIN_MEASURED_BYTES || run.seconds <= 0) return;
  const value = JSON.stringify({
    bytes_per_sec: Math.round(run.bytes / run.seconds),
    events_per_sec: Math.round(run.events / run.seconds),
    at: Date.now(),
  });
  store.transaction(() => setCheckpoint(store, SCOPE, KEY, value));
}
