/**
 * `iota process PATH...`: the full pipeline over local files, once.
 * @module
 */
import { EXIT_FAILURES, EXIT_OK, UsageError } from "../errors.ts";
import { log } from "../log.ts";
import { listLocalObjects, openLocalObject } from "../sources/local.ts";
import {
  createS3Client,
  listS3Objects,
  openS3Object,
  parseS3Url,
  s3ObjectRef,
} from "../sources/s3.ts";
import type { SourceObjectRef } from "../process/types.ts";
import type { Config } from "../config.ts";
import { type ObjectOutcome, type PipelineContext, processObject } from "../pipeline.ts";
import { deliverDue } from "../alerts/forwarder.ts";
import { closeOutputs } from "../alerts/outputs/registry.ts";
import { defaultParallelism } from "../config.ts";
import type { RuleEngine } from "../rules/pool.ts";
import {
  setupConfig,
  setupLake,
  setupOutputs,
  setupRuleEngine,
  setupRuleSet,
  setupStore,
} from "./_setup.ts";
import { summarizeRuleErrors } from "../store/rule_errors.ts";
import { deliveryCounts } from "../store/outbox.ts";
import { createProgress } from "./_progress.ts";

/** Flags of `iota process`. */
export interface ProcessFlags {
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
  rulesEngine?: boolean;
}

/** The summary `iota process` ends with. */
export interface ProcessSummary {
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

const encoder = new TextEncoder();

/** Runs `iota process`; returns the exit code. */
export async function runProcess(paths: string[], flags: ProcessFlags): Promise<number> {
  const started = performance.now();
  const cfg = await setupConfig(flags);
  const { objects, open } = await listInputs(paths, cfg);
  const store = setupStore(cfg);
  const lake = setupLake(cfg);
  let engine: RuleEngine | null = null;
  const ruleSet = flags.rulesEngine === false ? null : await setupRuleSet(cfg);
  const { outputs, routing } = setupOutputs(cfg, ruleSet, { json: flags.json === true });
  const summary: ProcessSummary = {
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
  let failures = 0;
  try {
    if (ruleSet) {
      engine = await setupRuleEngine(cfg, ruleSet, store, { timeoutSecs: flags.ruleTimeout });
      summary.rule_errors += engine.report.failed.length;
    }
    const ctx: PipelineContext = {
      store,
      lake,
      rules: engine,
      ruleMap: engine?.ruleMap() ?? new Map(),
      outputs: routing.outputs,
      defaultOutputs: routing.defaultOutputs,
      open,
      batchSize: flags.batchSize,
    };
    const progress = createProgress(objects.length, objects.reduce((n, o) => n + o.size, 0), {
      plain: flags.json === true,
    });
    // Deliveries are serialized so two passes never send the same outbox row.
    let delivering = Promise.resolve();
    const deliver = () => {
      progress.clear();
      delivering = delivering.then(() =>
        deliverDue(store, outputs, { policy: cfg.delivery }).then(() => {})
      );
      return delivering;
    };
    // Objects are decoded concurrently but committed in listing order (see beforeCommit).
    const turns = new CommitOrder(objects);
    ctx.beforeCommit = (obj) => turns.waitFor(obj);
    const queue = [...objects];

    const done = { objects: 0, events: 0, bytes: 0 };
    const workers = Array.from(
      { length: Math.min(flags.concurrency ?? defaultParallelism(), Math.max(1, queue.length)) },
      async () => {
        while (queue.length > 0) {
          const obj = queue.shift()!;
          let outcome: ObjectOutcome;
          try {
            outcome = await processObject(obj, ctx);
          } catch (err) {
            failures++;
            log.error(
              `Cannot process object "${obj.key}": ${err instanceof Error ? err.message : err}`,
            );
            continue;
          } finally {
            turns.done(obj);
          }
          account(summary, outcome);
          done.objects++;
          done.events += outcome.events;
          done.bytes += obj.size;
          progress.update(done);
          if (outcome.fired.length > 0) await deliver();
        }
      },
    );
    await Promise.all(workers);
    progress.stop();
    await deliver();
  } finally {
    summary.events_to_rules = engine?.stats.eventsToPython ?? 0;
    const undelivered = deliveryCounts(store).pending;
    if (undelivered > 0) {
      log.warn(
        `${undelivered} alert deliver${
          undelivered === 1 ? "y is" : "ies are"
        } waiting for a retry; the next run or "iota alerts retry" sends them once due`,
      );
    }
    await engine?.close();
    await lake.close();
    await closeOutputs(outputs);
    summary.seconds = Math.round((performance.now() - started) / 10) / 100;
    reportRuleErrors(store, started);
    store.close();
  }
  writeSummary(summary, flags.json === true);
  if (failures > 0) return EXIT_FAILURES;
  if (
    flags.strict && (summary.bad_objects > 0 || summary.bad_records > 0 || summary.rule_errors > 0)
  ) {
    return EXIT_FAILURES;
  }
  return EXIT_OK;
}

/** Lets objects commit only after every object listed before them has finished. */
class CommitOrder {
  #index = new Map<SourceObjectRef, number>();
  #finished: { promise: Promise<void>; resolve: () => void }[];

  constructor(objects: readonly SourceObjectRef[]) {
    objects.forEach((o, i) => this.#index.set(o, i));
    this.#finished = objects.map(() => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => resolve = r);
      return { promise, resolve };
    });
  }

  /** Resolves when the object listed just before `obj` has finished. */
  waitFor(obj: SourceObjectRef): Promise<void> {
    const i = this.#index.get(obj) ?? 0;
    return i === 0 ? Promise.resolve() : this.#finished[i - 1].promise;
  }

  /**
   * Marks `obj` finished (committed, skipped or failed). It counts as finished
   * for its successor only once its predecessor has, so a quickly skipped
   * object never lets a later one commit early.
   */
  done(obj: SourceObjectRef): void {
    const i = this.#index.get(obj);
    if (i === undefined) return;
    void this.waitFor(obj).then(() => this.#finished[i].resolve());
  }
}

/** Local paths and `s3://bucket/prefix` locations as source objects, with their opener. */
async function listInputs(
  paths: string[],
  cfg: Config,
): Promise<{
  objects: SourceObjectRef[];
  open: (obj: SourceObjectRef) => Promise<ReadableStream<Uint8Array>>;
}> {
  const local = paths.filter((p) => !p.startsWith("s3://"));
  const remote = paths.filter((p) => p.startsWith("s3://")).map(parseS3Url);
  const objects = await listLocalObjects(local);
  if (remote.length === 0) return { objects, open: openLocalObject };
  const client = await createS3Client(cfg.aws);
  for (const loc of remote) {
    const source = { id: "s3", label: `s3://${loc.bucket}` };
    try {
      for await (const o of listS3Objects(client, loc)) {
        objects.push(s3ObjectRef({ bucket: loc.bucket, ...o }, source));
      }
    } catch (err) {
      throw new UsageError(
        `Cannot list "s3://${loc.bucket}/${loc.prefix}": ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
  }
  return {
    objects,
    open: (obj) => obj.bucket === null ? openLocalObject(obj) : openS3Object(client, obj),
  };
}

function account(summary: ProcessSummary, o: ObjectOutcome): void {
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

/** One line per failing rule, for errors first recorded during this run. */
function reportRuleErrors(store: import("../store/db.ts").Store, startedPerf: number): void {
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

function writeSummary(s: ProcessSummary, json: boolean): void {
  const text = json
    ? JSON.stringify(s)
    : `Processed ${s.objects} object${
      s.objects === 1 ? "" : "s"
    } (${s.skipped} already done, ${s.bad_objects} bad, ${s.digests} digests): ${s.events} events, ${s.bad_records} bad records, ${s.alerts} alerts, ${s.rule_errors} rule errors in ${s.seconds}s`;
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}
