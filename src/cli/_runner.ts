/**
 * The run loop shared by `iota process` and `iota backfill`: objects from a
 * listing go through the pipeline a few at a time, commit in listing order,
 * and add up into one summary.
 * @module
 */
import type { SourceObjectRef } from "../process/types.ts";
import { type ObjectOutcome, type PipelineContext, processObject } from "../pipeline.ts";
import { log } from "../log.ts";
import type { Store } from "../store/db.ts";
import { summarizeRuleErrors } from "../store/rule_errors.ts";
import { deliveryCounts } from "../store/outbox.ts";
import type { Progress } from "./_progress.ts";

/** The flags `iota process` and `iota backfill` share. */
export interface RunFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  rules: string[];
  helpers: string[];
  lake?: string;
  json?: boolean;
  strict?: boolean;
  workers?: number;
  concurrency?: number;
  ruleTimeout?: number;
  batchSize?: number;
}

/** The summary `iota process` and `iota backfill` end with. */
export interface RunSummary {
  type: "summary";
  objects: number;
  skipped: number;
  bad_objects: number;
  events: number;
  alerts: number;
  rule_errors: number;
  bad_records: number;
  digests: number;
  /** Events that passed the prefilter into Python. */
  events_to_rules: number;
  seconds: number;
}

/** A summary with every count at zero. */
export function emptySummary(): RunSummary {
  return {
    type: "summary",
    objects: 0,
    skipped: 0,
    bad_objects: 0,
    events: 0,
    alerts: 0,
    rule_errors: 0,
    bad_records: 0,
    digests: 0,
    events_to_rules: 0,
    seconds: 0,
  };
}

/** How {@link runObjects} runs. */
export interface RunOptions {
  /** Objects processed at once. */
  concurrency: number;
  progress: Progress;
  /** Delivers due alerts; called after an object fired alerts. Null when nothing is delivered. */
  deliver: (() => Promise<void>) | null;
  /**
   * Called once per object when it is finished (committed, skipped or failed),
   * before the next object in listing order may commit. `outcome` is null when
   * processing threw.
   */
  onFinished?(obj: SourceObjectRef, outcome: ObjectOutcome | null): void;
}

/** Totals {@link runObjects} shows in its progress. */
export interface RunCounters {
  objects: number;
  events: number;
  bytes: number;
}

/**
 * Runs every object of `objects` through the pipeline, `concurrency` at a
 * time. Objects are decoded concurrently but committed in the order the
 * listing yields them, so alert windows (which depend on the order matches
 * arrive in) are the same on every run over the same objects.
 *
 * @returns the number of objects that failed because of iota itself (disk, SQLite, Python)
 */
export async function runObjects(
  objects: AsyncIterable<SourceObjectRef> | Iterable<SourceObjectRef>,
  ctx: PipelineContext,
  summary: RunSummary,
  options: RunOptions,
): Promise<number> {
  const iterator = Symbol.asyncIterator in objects
    ? objects[Symbol.asyncIterator]()
    : toAsync(objects[Symbol.iterator]());
  const turns = new CommitTurns();
  ctx.beforeCommit = (obj) => turns.waitFor(obj);
  const done: RunCounters = { objects: 0, events: 0, bytes: 0 };
  let failures = 0;
  let exhausted = false;
  // Pulls are serialized, so the order objects get their turn is the listing order.
  let pulling = Promise.resolve();
  const pull = (): Promise<SourceObjectRef | null> => {
    const next = pulling.then(async () => {
      if (exhausted) return null;
      const r = await iterator.next();
      if (r.done) {
        exhausted = true;
        return null;
      }
      turns.enqueue(r.value);
      return r.value;
    });
    pulling = next.then(() => {}, () => {});
    return next;
  };
  const worker = async () => {
    while (true) {
      const obj = await pull();
      if (obj === null) return;
      let outcome: ObjectOutcome | null = null;
      try {
        outcome = await processObject(obj, ctx);
      } catch (err) {
        failures++;
        log.error(
          `Cannot process object "${obj.key}": ${err instanceof Error ? err.message : err}`,
        );
      } finally {
        options.onFinished?.(obj, outcome);
        turns.done(obj);
      }
      if (outcome === null) continue;
      accountOutcome(summary, outcome);
      done.objects++;
      done.events += outcome.events;
      done.bytes += obj.size;
      options.progress.update(done);
      if (outcome.fired.length > 0 && options.deliver) await options.deliver();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return failures;
}

async function* toAsync<T>(it: Iterator<T>): AsyncGenerator<T> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

/** Lets objects commit only after every object listed before them has finished. */
class CommitTurns {
  #last: Promise<void> = Promise.resolve();
  #turns = new Map<
    SourceObjectRef,
    { previous: Promise<void>; finished: Promise<void>; resolve: () => void }
  >();

  /** Gives `obj` the next turn. */
  enqueue(obj: SourceObjectRef): void {
    let resolve = () => {};
    const finished = new Promise<void>((r) => resolve = r);
    this.#turns.set(obj, { previous: this.#last, finished, resolve });
    this.#last = finished;
  }

  /** Resolves when the object listed just before `obj` has finished. */
  waitFor(obj: SourceObjectRef): Promise<void> {
    return this.#turns.get(obj)?.previous ?? Promise.resolve();
  }

  /**
   * Marks `obj` finished. It counts as finished for its successor only once
   * its predecessor has, so a quickly skipped object never lets a later one
   * commit early.
   */
  done(obj: SourceObjectRef): void {
    const turn = this.#turns.get(obj);
    if (turn === undefined) return;
    this.#turns.delete(obj);
    void turn.previous.then(turn.resolve);
  }
}

/** Adds one object's outcome to the summary and reports its bad input. */
export function accountOutcome(summary: RunSummary, o: ObjectOutcome): void {
  if (o.skipped) {
    summary.skipped++;
    return;
  }
  summary.objects++;
  summary.events += o.events;
  summary.bad_records += o.badRecords;
  summary.alerts += o.fired.length;
  summary.rule_errors += o.ruleErrors;
  if (o.kind === "digest") summary.digests++;
  if (o.error !== null) {
    summary.bad_objects++;
    log.error(`Cannot decode object "${o.obj.key}": ${o.error}`, {
      events_kept: o.events,
    });
  }
  if (o.badRecords > 0) {
    const shown = o.badReasons.slice(0, 3).map((b) => b.reason).join("; ");
    log.warn(
      `Object "${o.obj.key}" has ${o.badRecords} bad record${
        o.badRecords === 1 ? "" : "s"
      }: ${shown}${o.badRecords > 3 ? "; …" : ""}`,
    );
  }
}

/** Warns when alert deliveries are left waiting for a retry. */
export function warnUndelivered(store: Store): void {
  const undelivered = deliveryCounts(store).pending;
  if (undelivered > 0) {
    log.warn(
      `${undelivered} alert deliver${
        undelivered === 1 ? "y is" : "ies are"
      } waiting for a retry; the next run or "iota alerts retry" sends them once due`,
    );
  }
}

/** One line per failing rule, for errors first recorded during this run. */
export function reportRuleErrors(store: Store, startedPerf: number): void {
  const since = Date.now() - (performance.now() - startedPerf) - 1000;
  for (const e of summarizeRuleErrors(store, { sinceMs: since })) {
    if (e.type === "import") continue; // reported when the rule failed to load
    const where = e.traceback ? ` (${e.traceback})` : "";
    log.error(
      `Rule "${e.ruleId}" failed on ${e.count} event${
        e.count === 1 ? "" : "s"
      }: ${e.type}: ${e.message}${where}`,
    );
  }
}

const encoder = new TextEncoder();

/** Prints the summary: one JSON line with `json`, else one sentence. */
export function writeSummary(s: RunSummary, json: boolean): void {
  const text = json
    ? JSON.stringify(s)
    : `Processed ${s.objects} object${
      s.objects === 1 ? "" : "s"
    } (${s.skipped} already done, ${s.bad_objects} bad, ${s.digests} digests): ${s.events} events, ${s.bad_records} bad records, ${s.alerts} alerts, ${s.rule_errors} rule errors in ${s.seconds}s`;
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}
