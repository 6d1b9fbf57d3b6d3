/**
 * Wires one source object through process → lake → rules → alerts, in the
 * durable order of DESIGN.md: lake files committed, then one SQLite
 * transaction that marks the object done and records its alerts, rule errors
 * and outbox rows. Only after that may a caller acknowledge the object (e.g.
 * delete its SQS message). A crash anywhere before the commit re-processes the
 * object with the same result.
 * @module
 */
import type { BadRecord, DecodeSummary, ObjectKind, SourceObjectRef } from "./process/types.ts";
import { decodeObject } from "./process/mod.ts";
import { decodeOnThread } from "./process/threads.ts";
import type { LakeObjectWriter, LakeWriter } from "./lake/types.ts";
import type { RuleEngine } from "./rules/pool.ts";
import type { EvalResult, RuleErrorRecord, RuleMatch, RuleMeta } from "./rules/types.ts";
import type { Store } from "./store/db.ts";
import { isObjectProcessed, markObjectProcessed } from "./store/objects.ts";
import { recordRuleErrors } from "./store/rule_errors.ts";
import { applyMatches } from "./alerts/dedup.ts";
import type { AlertRow } from "./store/alerts.ts";

/** Bad-record reasons kept per object for reporting. */
const MAX_BAD_REASONS = 20;

/** Everything the pipeline needs; built once per run. */
export interface PipelineContext {
  store: Store;
  lake: LakeWriter;
  /** The rule engine, or null to skip rules (lake only). */
  rules: RuleEngine | null;
  ruleMap: ReadonlyMap<string, RuleMeta>;
  outputs: ReadonlySet<string>;
  defaultOutputs: readonly string[];
  /** Opens the object's bytes. */
  open(obj: SourceObjectRef): Promise<ReadableStream<Uint8Array>>;
  batchSize?: number;
  /**
   * Decode on the decode threads (default true); false decodes on the
   * pipeline's own thread, with the same results.
   */
  decodeThreads?: boolean;
  /**
   * Awaited just before the object's SQLite transaction. `iota process` uses it
   * to commit objects in listing order, so alert windows (which depend on the
   * order matches arrive in) are the same on every run over the same files.
   */
  beforeCommit?(obj: SourceObjectRef): Promise<void>;
  /**
   * Called inside the object's SQLite transaction, after it is marked done, so
   * a caller's own bookkeeping (a backfill checkpoint, integration health)
   * commits atomically with it.
   */
  onCommit?(obj: SourceObjectRef, committed: CommittedObject): void;
}

/** What an object's transaction commits, as {@linkcode PipelineContext.onCommit} sees it. */
export interface CommittedObject {
  kind: ObjectKind;
  events: number;
  badRecords: number;
  /** Rule errors first seen in this object. */
  ruleErrors: number;
  /** Object-level failure reason (corrupt gzip, not JSON…), else null. */
  error: string | null;
  firstEventTime: number | null;
  lastEventTime: number | null;
}

/** What happened to one object. */
export interface ObjectOutcome {
  obj: SourceObjectRef;
  /** Already processed with the same etag: nothing was done. */
  skipped: boolean;
  kind: ObjectKind;
  records: number;
  events: number;
  badRecords: number;
  /** The first few bad records with reasons. */
  badReasons: BadRecord[];
  /** Object-level failure reason (corrupt gzip, not JSON…), else null. */
  error: string | null;
  matches: number;
  /** Rule errors first seen in this object. */
  ruleErrors: number;
  fired: AlertRow[];
  lakeFiles: number;
}

/** Processes one object end to end; throws only on failures of iota itself (disk, SQLite, Python). */
export async function processObject(
  obj: SourceObjectRef,
  ctx: PipelineContext,
): Promise<ObjectOutcome> {
  const outcome: ObjectOutcome = {
    obj,
    skipped: false,
    kind: "empty",
    records: 0,
    events: 0,
    badRecords: 0,
    badReasons: [],
    error: null,
    matches: 0,
    ruleErrors: 0,
    fired: [],
    lakeFiles: 0,
  };
  if (isObjectProcessed(ctx.store, obj.uri, obj.etag)) {
    outcome.skipped = true;
    return outcome;
  }
  const lake = ctx.lake.begin(obj);
  const matches: RuleMatch[] = [];
  const errors: RuleErrorRecord[] = [];
  let firstEventTime: number | null = null;
  let lastEventTime: number | null = null;
  // Rule evaluation of earlier batches overlaps decoding of later ones.
  const pending: Promise<EvalResult>[] = [];
  // Enough batches in flight that the decoder rarely waits for a worker's round trip.
  const maxPending = (ctx.rules?.size ?? 0) * 4 + 1;
  const collect = (r: EvalResult) => {
    matches.push(...r.matches);
    errors.push(...r.errors);
  };
  try {
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await ctx.open(obj);
    } catch (err) {
      throw new ObjectReadError(err instanceof Error ? err.message : String(err));
    }
    const feed: Feed = {
      pending,
      badReasons: outcome.badReasons,
      firstEventTime: null,
      lastEventTime: null,
      drain: async () => {
        if (pending.length >= maxPending) collect(await pending.shift()!);
      },
    };
    const s = ctx.decodeThreads === false
      ? await feedFromHere(stream, obj, ctx, lake, feed)
      : await feedFromThread(stream, obj, ctx, lake, feed);
    outcome.kind = s.kind;
    outcome.records = s.records;
    outcome.events = s.events;
    outcome.badRecords = s.badRecords;
    outcome.error = s.error;
    firstEventTime = feed.firstEventTime;
    lastEventTime = feed.lastEventTime;
    for (const p of pending.splice(0)) collect(await p);
    outcome.lakeFiles = await lake.commit();
  } catch (err) {
    // Let in-flight evaluations settle before the caller moves on.
    await Promise.allSettled(pending);
    await lake.abort();
    if (err instanceof ObjectReadError) {
      outcome.kind = "invalid";
      // Not marked done: a read failure (permissions, a vanished file) may pass, so a later
      // run tries the object again.
      outcome.error = `cannot read: ${err.message}`;
      return outcome;
    }
    throw err;
  }
  outcome.matches = matches.length;
  await ctx.beforeCommit?.(obj);
  ctx.store.transaction(() => {
    // Another run (serve, process, a second backfill) may have committed the same object
    // while this one was decoding it: its alerts are counted already, so count nothing.
    if (isObjectProcessed(ctx.store, obj.uri, obj.etag)) {
      outcome.skipped = true;
      return;
    }
    const dedup = applyMatches(ctx.store, matches, ctx.ruleMap, {
      outputs: ctx.outputs,
      defaultOutputs: ctx.defaultOutputs,
    });
    outcome.fired = dedup.fired;
    outcome.ruleErrors = recordRuleErrors(ctx.store, errors, obj.uri);
    markDone(ctx, outcome, firstEventTime, lastEventTime);
    ctx.onCommit?.(obj, {
      kind: outcome.kind,
      events: outcome.events,
      badRecords: outcome.badRecords,
      ruleErrors: outcome.ruleErrors,
      error: outcome.error,
      firstEventTime,
      lastEventTime,
    });
  });
  return outcome;
}

class ObjectReadError extends Error {}

function markDone(
  ctx: PipelineContext,
  o: ObjectOutcome,
  firstEventTime: number | null,
  lastEventTime: number | null,
): void {
  markObjectProcessed(ctx.store, {
    uri: o.obj.uri,
    etag: o.obj.etag,
    size: o.obj.size,
    sourceId: o.obj.sourceId,
    kind: o.kind,
    records: o.records,
    events: o.events,
    badRecords: o.badRecords,
    error: o.error,
    lakeFiles: o.lakeFiles,
    firstEventTime,
    lastEventTime,
    processedAt: Date.now(),
  });
}

/** Where decoded batches go: rule evaluations in flight, bad records, time range. */
interface Feed {
  pending: Promise<EvalResult>[];
  badReasons: BadRecord[];
  firstEventTime: number | null;
  lastEventTime: number | null;
  /** Waits for the oldest evaluation once enough are in flight. */
  drain(): Promise<void>;
}

function noteBad(feed: Feed, bad: readonly BadRecord[]): void {
  for (const b of bad) {
    if (feed.badReasons.length < MAX_BAD_REASONS) feed.badReasons.push(b);
  }
}

/** Decodes on this thread: normalized events go to the lake and the rule engine. */
async function feedFromHere(
  stream: ReadableStream<Uint8Array>,
  obj: SourceObjectRef,
  ctx: PipelineContext,
  lake: LakeObjectWriter,
  feed: Feed,
): Promise<DecodeSummary> {
  const batches = decodeObject(stream, obj, { batchSize: ctx.batchSize });
  while (true) {
    const next = await batches.next();
    if (next.done) return next.value;
    const { events, bad, lake: lines } = next.value;
    noteBad(feed, bad);
    if (events.length === 0) continue;
    for (const ev of events) {
      if (feed.firstEventTime === null || ev.eventTime < feed.firstEventTime) {
        feed.firstEventTime = ev.eventTime;
      }
      if (feed.lastEventTime === null || ev.eventTime > feed.lastEventTime) {
        feed.lastEventTime = ev.eventTime;
      }
    }
    if (ctx.rules) feed.pending.push(ctx.rules.evaluate(events));
    await lake.writeEncoded(lines);
    await feed.drain();
  }
}

/**
 * Decodes on a decode thread, which also encodes the lake lines and routes
 * events through the prefilter: only events a rule may match come back whole.
 */
async function feedFromThread(
  stream: ReadableStream<Uint8Array>,
  obj: SourceObjectRef,
  ctx: PipelineContext,
  lake: LakeObjectWriter,
  feed: Feed,
): Promise<DecodeSummary> {
  const batches = decodeOnThread(stream, obj, {
    batchSize: ctx.batchSize,
    prefilter: ctx.rules?.prefilterSpec() ?? null,
  });
  try {
    while (true) {
      const next = await batches.next();
      if (next.done) return next.value;
      const b = next.value;
      noteBad(feed, b.bad);
      if (b.events === 0) continue;
      if (feed.firstEventTime === null || b.firstEventTime! < feed.firstEventTime) {
        feed.firstEventTime = b.firstEventTime;
      }
      if (feed.lastEventTime === null || b.lastEventTime! > feed.lastEventTime) {
        feed.lastEventTime = b.lastEventTime;
      }
      if (ctx.rules) feed.pending.push(ctx.rules.evaluateRouted(b.routed, b.events));
      await lake.writeEncoded(b.lake);
      await feed.drain();
    }
  } finally {
    // On a failure here (lake, rules), stop the thread's work and give it back to the pool.
    await batches.return(undefined as never);
  }
}
