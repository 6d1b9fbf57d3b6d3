/**
 * Progress of long runs: a bar on a terminal (objects, events, events/s, ETA),
 * plain periodic log lines otherwise or with --json.
 * @module
 */
// @deno-types="@types/cli-progress"
import cliProgress from "cli-progress";
import process from "node:process";
import { log } from "../log.ts";

/** Counters a progress reporter shows. */
export interface ProgressCounters {
  objects: number;
  events: number;
  bytes: number;
}

/** A progress reporter. */
export interface Progress {
  update(c: ProgressCounters): void;
  /** Clears the bar so other output (alerts) can be written; the next update redraws it. */
  clear(): void;
  stop(): void;
}

/** Seconds between plain log lines. */
const LOG_INTERVAL_MS = 10_000;

/**
 * Creates a reporter for `totalObjects` objects of `totalBytes` bytes. Uses a
 * bar when stderr is a terminal and `plain` is false.
 */
export function createProgress(
  totalObjects: number,
  totalBytes: number,
  options: { plain: boolean },
): Progress {
  const started = performance.now();
  const rate = (c: ProgressCounters) => {
    const secs = (performance.now() - started) / 1000;
    return secs > 0 ? Math.round(c.events / secs) : 0;
  };
  if (!options.plain && Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format:
        "{bar} {percentage}% | {value}/{total} objects | {events} events | {rate} ev/s | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(totalObjects, 0, { events: 0, rate: 0 });
    return {
      update: (c) => bar.update(c.objects, { events: c.events, rate: rate(c) }),
      clear: () => process.stderr.write("\x1b[1G\x1b[0K"),
      stop: () => bar.stop(),
    };
  }
  let lastLog = performance.now();
  return {
    update(c) {
      const now = performance.now();
      if (now - lastLog < LOG_INTERVAL_MS) return;
      lastLog = now;
      const eta = c.bytes > 0 && totalBytes > c.bytes
        ? Math.round(((now - started) / 1000) * (totalBytes - c.bytes) / c.bytes)
        : 0;
      log.info("progress", {
        objects: `${c.objects}/${totalObjects}`,
        events: c.events,
        events_per_sec: rate(c),
        eta_secs: eta,
      });
    },
    clear() {},
    stop() {},
  };
}
