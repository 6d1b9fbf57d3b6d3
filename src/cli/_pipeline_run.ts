/**
 * Start-up and shut-down of one pipeline run, shared by `iota process` and
 * `iota backfill`: store, lake, rule engine, outputs and the delivery loop.
 * @module
 */
import type { Config } from "../config.ts";
import type { PipelineContext } from "../pipeline.ts";
import type { SourceObjectRef } from "../process/types.ts";
import type { Store } from "../store/db.ts";
import type { RuleEngine } from "../rules/pool.ts";
import type { LakeWriter } from "../lake/types.ts";
import type { RuleMeta } from "../rules/types.ts";
import { deliverDue } from "../alerts/forwarder.ts";
import { closeOutputs } from "../alerts/outputs/registry.ts";
import {
  setupLake,
  setupOutputs,
  setupRuleEngine,
  setupRuleSet,
  setupStore,
  spawnWorkers,
} from "./_setup.ts";
import { warmDecodeThreads } from "../process/threads.ts";
import { reportRuleErrors, type RunSummary, warnUndelivered } from "./_runner.ts";

/** What a run starts with. */
export interface PipelineRunOptions {
  /** Run no rules (lake only). */
  rules: boolean;
  /** Deliver alerts that fire; when false, matches become alert rows without deliveries. */
  deliver: boolean;
  json: boolean;
  ruleTimeout?: number;
  batchSize?: number;
  /** Decode on decode threads (default true). */
  decodeThreads?: boolean;
  open(obj: SourceObjectRef): Promise<ReadableStream<Uint8Array>>;
}

/** A started run. */
export interface PipelineRun {
  store: Store;
  lake: LakeWriter;
  ctx: PipelineContext;
  /** Delivers due alerts, one pass at a time; null when alerts are not delivered. */
  deliver: (() => Promise<void>) | null;
  /** Sets a hook run before each delivery (to clear a progress bar). */
  beforeDeliver(fn: () => void): void;
  /** Final delivery, warnings, and closing of everything the run opened. */
  close(summary: RunSummary, options: { delivered: boolean }): Promise<void>;
}

/**
 * Opens the store and lake, loads rules and starts the engine, resolves
 * outputs. Counts rules that failed to load into `summary.rule_errors`.
 */
export async function startPipelineRun(
  cfg: Config,
  summary: RunSummary,
  options: PipelineRunOptions,
): Promise<PipelineRun> {
  const started = performance.now();
  // Python and the first decode thread boot while the rules' YAML is parsed.
  let spawned = options.rules ? spawnWorkers(cfg) : null;
  if (options.decodeThreads !== false) warmDecodeThreads();
  let store: Store | null = null;
  let lake: LakeWriter | null = null;
  let engine: RuleEngine | null = null;
  let resolved: ReturnType<typeof setupOutputs>;
  try {
    const ruleSet = options.rules ? await setupRuleSet(cfg, { tests: false }) : null;
    resolved = setupOutputs(cfg, ruleSet, { json: options.json });
    store = setupStore(cfg);
    lake = await setupLake(cfg);
    if (ruleSet) {
      engine = await setupRuleEngine(cfg, ruleSet, store, {
        timeoutSecs: options.ruleTimeout,
        spawned: spawned ?? undefined,
      });
      spawned = null;
      summary.rule_errors += engine.report.failed.length;
    }
  } catch (err) {
    await Promise.all((spawned ?? []).map((w) => w.close(0)));
    await lake?.close();
    store?.close();
    throw err;
  }
  const { outputs, routing } = resolved;
  let ruleMap: ReadonlyMap<string, RuleMeta> = engine?.ruleMap() ?? new Map();
  if (!options.deliver) {
    // Rules keep their alert windows but route nowhere: no outbox rows are written.
    ruleMap = new Map([...ruleMap].map(([id, r]) => [id, { ...r, outputIds: [] }]));
  }
  const ctx: PipelineContext = {
    store,
    lake,
    rules: engine,
    ruleMap,
    outputs: options.deliver ? routing.outputs : new Set(),
    defaultOutputs: options.deliver ? routing.defaultOutputs : [],
    open: options.open,
    batchSize: options.batchSize,
    decodeThreads: options.decodeThreads,
  };
  let hook = () => {};
  // Deliveries are serialized so two passes never send the same outbox row.
  let delivering = Promise.resolve();
  const deliver = options.deliver
    ? () => {
      hook();
      delivering = delivering.then(() =>
        deliverDue(store, outputs, { policy: cfg.delivery }).then(() => {})
      );
      return delivering;
    }
    : null;
  const openedLake = lake;
  return {
    store,
    lake: openedLake,
    ctx,
    deliver,
    beforeDeliver(fn) {
      hook = fn;
    },
    async close(s, closeOptions) {
      try {
        if (closeOptions.delivered && deliver) await deliver();
      } finally {
        s.events_to_rules = engine?.stats.eventsToPython ?? 0;
        if (deliver) warnUndelivered(store);
        await engine?.close();
        await openedLake.close();
        await closeOutputs(outputs);
        reportRuleErrors(store, started);
        store.close();
      }
    },
  };
}
