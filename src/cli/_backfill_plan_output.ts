/**
 * `iota backfill --dry-run`: lists every planned prefix and prints what a run
 * would process (objects not yet processed, their bytes) and how long it
 * should take at the throughput measured on this machine.
 * @module
 */
import type { Store } from "../store/db.ts";
import type { PlannedPrefix } from "../sources/backfill_plan.ts";
import type { BackfillSource } from "../sources/backfill_source.ts";
import { listPlanned, unprocessed } from "../sources/backfill_list.ts";
import { readThroughput } from "../sources/backfill_throughput.ts";
import { formatBytes } from "./_backfill_progress.ts";
import { UsageError } from "../errors.ts";

const encoder = new TextEncoder();
const out = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));

/** The totals of a plan. */
export interface PlanTotals {
  type: "plan";
  prefixes: number;
  /** Prefixes a previous run finished (not listed again). */
  prefixes_done: number;
  objects: number;
  bytes: number;
  estimated_seconds: number;
  bytes_per_sec: number;
  /** `measured` (last backfill on this state) or `default`. */
  throughput: "measured" | "default";
}

/**
 * Prints one line per prefix (`--json`: one JSON object per prefix) and the totals.
 * @throws UsageError when a prefix cannot be listed
 */
export async function printPlan(
  source: BackfillSource,
  store: Store,
  plan: readonly PlannedPrefix[],
  options: { json: boolean },
): Promise<PlanTotals> {
  const rate = readThroughput(store);
  const totals: PlanTotals = {
    type: "plan",
    prefixes: plan.length,
    prefixes_done: 0,
    objects: 0,
    bytes: 0,
    estimated_seconds: 0,
    bytes_per_sec: Math.round(rate.bytesPerSec),
    throughput: rate.source,
  };
  for await (const [p, listing] of listPlanned(source, store, plan)) {
    if (listing.kind === "error") {
      throw new UsageError(`Cannot list "${source.location}/${p.prefix}": ${listing.message}`);
    }
    const todo = listing.kind === "done" ? [] : unprocessed(store, listing.objects);
    const bytes = todo.reduce((n, o) => n + o.ref.size, 0);
    const done = listing.kind === "done";
    if (done) totals.prefixes_done++;
    totals.objects += todo.length;
    totals.bytes += bytes;
    if (options.json) {
      out(JSON.stringify({
        type: "prefix",
        prefix: `${source.location}/${p.prefix}`,
        org: p.org,
        account: p.account,
        region: p.region,
        day: p.day,
        objects: todo.length,
        bytes,
        done,
      }));
    } else {
      const what = done ? "done" : `${todo.length} objects, ${formatBytes(bytes)}`;
      out(`${source.location}/${p.prefix}  ${what}`);
    }
  }
  totals.estimated_seconds = Math.ceil(totals.bytes / rate.bytesPerSec);
  if (options.json) out(JSON.stringify(totals));
  else {
    const basis = rate.source === "measured"
      ? `measured ${new Date(rate.measuredAt ?? 0).toISOString().slice(0, 10)}`
      : "default, no backfill measured yet";
    out(
      `Plan: ${totals.prefixes} prefixes (${totals.prefixes_done} already done), ${totals.objects} objects, ${
        formatBytes(totals.bytes)
      }; about ${formatDuration(totals.estimated_seconds)} at ${
        formatBytes(rate.bytesPerSec)
      }/s (${basis})`,
    );
  }
  return totals;
}

/** `45s`, `12m 5s`, `3h 20m`. */
function formatDuration(secs: number): string {
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m ${secs % 60}s`;
  return `${Math.floor(secs / 3600)}h ${Math.floor((secs % 3600) / 60)}m`;
}
