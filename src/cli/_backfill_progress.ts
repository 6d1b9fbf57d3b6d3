/**
 * Progress of a backfill: a bar over the planned prefixes (objects, bytes,
 * events, events/s, ETA) on a terminal, a log line every 10 seconds otherwise.
 * Objects are listed one prefix at a time, so prefixes are the unit the ETA
 * counts in.
 * @module
 */
// @deno-types="@types/cli-progress"
import cliProgress from "cli-progress";
import process from "node:process";
import { log } from "../log.ts";
import type { Progress, ProgressCounters } from "./_progress.ts";

const LOG_INTERVAL_MS = 10_000;

/** A progress reporter that also counts finished prefixes. */
export interface BackfillProgress extends Progress {
  prefixDone(): void;
}

/** Human-readable bytes: `512 B`, `3.4 MB`, `1.2 GB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** Creates the reporter for `totalPrefixes` prefixes; a bar only when stderr is a terminal. */
export function createBackfillProgress(
  totalPrefixes: number,
  options: { plain: boolean },
): BackfillProgress {
  const started = performance.now();
  let prefixes = 0;
  let last: ProgressCounters = { objects: 0, events: 0, bytes: 0 };
  const rate = () => {
    const secs = (performance.now() - started) / 1000;
    return secs > 0 ? Math.round(last.events / secs) : 0;
  };
  const fields = () => ({
    objects: last.objects,
    size: formatBytes(last.bytes),
    events: last.events,
    rate: rate(),
  });
  if (!options.plain && Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format:
        "{bar} {value}/{total} prefixes | {objects} objects | {size} | {events} events | {rate} ev/s | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    }, cliProgress.Presets.shades_classic);
    bar.start(totalPrefixes, 0, fields());
    return {
      update(c) {
        last = { ...c };
        bar.update(prefixes, fields());
      },
      prefixDone() {
        prefixes++;
        bar.update(prefixes, fields());
      },
      clear: () => process.stderr.write("\x1b[1G\x1b[0K"),
      stop: () => bar.stop(),
    };
  }
  let lastLog = performance.now();
  const maybeLog = () => {
    const now = performance.now();
    if (now - lastLog < LOG_INTERVAL_MS) return;
    lastLog = now;
    const secs = (now - started) / 1000;
    const eta = prefixes > 0 && totalPrefixes > prefixes
      ? Math.round(secs * (totalPrefixes - prefixes) / prefixes)
      : 0;
    log.info("progress", {
      prefixes: `${prefixes}/${totalPrefixes}`,
      objects: last.objects,
      bytes: last.bytes,
      events: last.events,
      events_per_sec: rate(),
      eta_secs: eta,
    });
  };
  return {
    update(c) {
      last = { ...c };
      maybeLog();
    },
    prefixDone() {
      prefixes++;
      maybeLog();
    },
    clear() {},
    stop() {},
  };
}
