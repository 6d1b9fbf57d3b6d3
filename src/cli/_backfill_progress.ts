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

/** `45s`, `12m05s`, `3h20m`. */
export function formatEta(secs: number): string {
  const p = (n: number) => String(n).padStart(2, "0");
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m${p(secs % 60)}s`;
  return `${Math.floor(secs / 3600)}h${p(Math.floor((secs % 3600) / 60))}m`;
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
  /** Seconds left at the pace of finished prefixes, or null before the first one. */
  const etaSecs = () => {
    if (prefixes === 0) return null;
    const secs = (performance.now() - started) / 1000;
    return Math.round(secs * (totalPrefixes - prefixes) / prefixes);
  };
  const fields = () => {
    const eta = etaSecs();
    return {
      objects: last.objects,
      size: formatBytes(last.bytes),
      events: last.events,
      rate: rate(),
      remaining: eta === null ? "…" : formatEta(eta),
    };
  };
  if (!options.plain && Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format:
        "{bar} {value}/{total} prefixes | {objects} objects | {size} | {events} events | {rate} ev/s | ETA {remaining}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
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
  // A timer, not object completions, paces the lines: one large object still shows progress.
  const timer = setInterval(() => {
    log.info("progress", {
      prefixes: `${prefixes}/${totalPrefixes}`,
      objects: last.objects,
      bytes: last.bytes,
      events: last.events,
      events_per_sec: rate(),
      eta_secs: etaSecs(),
    });
  }, LOG_INTERVAL_MS);
  Deno.unrefTimer(timer);
  return {
    update(c) {
      last = { ...c };
    },
    prefixDone() {
      prefixes++;
    },
    clear() {},
    stop() {
      clearInterval(timer);
    },
  };
}
