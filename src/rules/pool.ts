/**
 * The rule engine: a pool of Python workers that all load the same rules, a
 * prefilter in front of them, and recovery from hung or crashed workers by
 * bisecting the batch down to the (event, rule) pair that caused it.
 * @module
 */
import type { NormalizedEvent } from "../process/types.ts";
import type { EvalResult, RuleErrorRecord, RuleMatch, RuleMeta } from "./types.ts";
import type { RuleSet } from "./loader.ts";
import { canonicalSeverity } from "./loader.ts";
import {
  encodeEvalRequest,
  type WireDataModel,
  type WireEvalResponse,
  type WireLoadedRule,
  type WireRule,
} from "./protocol.ts";
import { PythonWorker, WorkerCrashedError } from "./worker.ts";
import { Prefilter, type PrefilterSpec, type RuleFilter } from "./prefilter.ts";
import { log } from "../log.ts";

/** Default time limit for one batch, in seconds. */
export const DEFAULT_RULE_TIMEOUT_SECS = 10;

/** How the engine is started. */
export interface RuleEngineOptions {
  /** Number of Python workers (default 1). */
  workers?: number;
  /** Working directory for workers (inside the state dir). */
  cwd: string;
  /** SQLite file for the rules' state API, or null for in-memory. */
  statePath: string | null;
  /** Time limit per batch in seconds. */
  timeoutSecs?: number;
  /** Route events through the static prefilter (default true). */
  prefilter?: boolean;
}

/** Load outcome of a rule set. */
export interface RuleLoadReport {
  loaded: RuleMeta[];
  /** Rules that failed to import, as rule errors with rowId null. */
  failed: RuleErrorRecord[];
}

interface Slot {
  worker: PythonWorker;
  busy: boolean;
}

/** What evaluation needs of an event: its id, time and JSON line. */
export type RuleInput = Pick<NormalizedEvent, "rowId" | "eventTime" | "json">;

/** An event the prefilter already routed (on a decode thread), with its candidate rules. */
export interface RoutedEvent extends RuleInput {
  /** Indices of the rules that may match it, ascending; never empty. */
  targets: number[];
}

/** Counters the engine keeps for reporting. */
export interface RuleEngineStats {
  eventsSeen: number;
  eventsToPython: number;
  workerRestarts: number;
}

/** Runs enabled rules over event batches. */
export class RuleEngine {
  readonly report: RuleLoadReport;
  readonly stats: RuleEngineStats = { eventsSeen: 0, eventsToPython: 0, workerRestarts: 0 };
  #rules: RuleMeta[];
  #prefilter: Prefilter;
  #slots: Slot[];
  #waiters: ((slot: Slot) => void)[] = [];
  #loadRequest: unknown;
  #options: RuleEngineOptions;
  #timeoutMs: number;
  #outputLogs = new Map<string, number>();

  private constructor(
    rules: RuleMeta[],
    report: RuleLoadReport,
    prefilter: Prefilter,
    slots: Slot[],
    loadRequest: unknown,
    options: RuleEngineOptions,
  ) {
    this.#rules = rules;
    this.report = report;
    this.#prefilter = prefilter;
    this.#slots = slots;
    this.#loadRequest = loadRequest;
    this.#options = options;
    this.#timeoutMs = (options.timeoutSecs ?? DEFAULT_RULE_TIMEOUT_SECS) * 1000;
  }

  /**
   * Starts the workers (or takes those of {@link spawnRuleWorkers}) and loads
   * every enabled rule of `set`.
   */
  static async start(
    set: RuleSet,
    options: RuleEngineOptions,
    spawned?: PythonWorker[],
  ): Promise<RuleEngine> {
    const enabled = set.rules.filter((r) => r.enabled);
    const loadRequest = buildLoadRequest(enabled, set, options.statePath);
    const slots: Slot[] = (spawned ?? spawnRuleWorkers(options)).map((worker) => ({
      worker,
      busy: false,
    }));
    let outcomes: WireLoadedRule[] = [];
    try {
      const responses = await Promise.all(
        slots.map((s) => s.worker.request<{ rules: WireLoadedRule[] }>(loadRequest)),
      );
      outcomes = responses[0].rules;
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.close(0)));
      throw new Error(
        `Cannot start the Python rule engine: ${err instanceof Error ? err.message : err}`,
      );
    }
    const failed: RuleErrorRecord[] = [];
    const filters: RuleFilter[] = [];
    const loaded: RuleMeta[] = [];
    enabled.forEach((rule, i) => {
      const o = outcomes[i];
      if (!o?.loaded) {
        failed.push({
          ruleId: rule.id,
          rowId: null,
          type: "import",
          message: `${rule.pyPath}: ${o?.error ?? "not loaded"}`,
          traceback: null,
        });
      }
      loaded.push(rule);
      // A rule that did not load is never routed an event.
      filters.push({
        logTypes: o?.loaded ? rule.logTypes : [],
        eventNames: o?.prefilter.eventName ? new Set(o.prefilter.eventName) : null,
        eventSources: o?.prefilter.eventSource ? new Set(o.prefilter.eventSource) : null,
      });
    });
    return new RuleEngine(
      loaded,
      { loaded: loaded.filter((_, i) => outcomes[i]?.loaded), failed },
      new Prefilter(filters, options.prefilter ?? true),
      slots,
      loadRequest,
      options,
    );
  }

  /** Rule metadata by id for every rule that loaded. */
  ruleMap(): Map<string, RuleMeta> {
    return new Map(this.report.loaded.map((r) => [r.id, r]));
  }

  /** Evaluates one batch; matches and errors come back in event order. */
  async evaluate(events: readonly NormalizedEvent[]): Promise<EvalResult> {
    this.stats.eventsSeen += events.length;
    const routed: NormalizedEvent[] = [];
    const targets: number[][] = [];
    for (const ev of events) {
      const t = this.#prefilter.candidates(ev.logType, ev.eventName, ev.eventSource);
      if (t.length === 0) continue;
      routed.push(ev);
      targets.push(t as number[]);
    }
    if (routed.length === 0) return { matches: [], errors: [] };
    this.stats.eventsToPython += routed.length;
    return await this.#evaluateRouted(routed, targets);
  }

  /** The prefilter as plain data, for routing on a decode thread ({@link evaluateRouted}). */
  prefilterSpec(): PrefilterSpec {
    return this.#prefilter.toSpec();
  }

  /**
   * Evaluates events routed elsewhere by {@link prefilterSpec}; `seen` is the
   * number of events of the batch before routing (for the statistics). Gives
   * the same result as evaluate() of the whole batch.
   */
  async evaluateRouted(routed: readonly RoutedEvent[], seen: number): Promise<EvalResult> {
    this.stats.eventsSeen += seen;
    if (routed.length === 0) return { matches: [], errors: [] };
    this.stats.eventsToPython += routed.length;
    return await this.#evaluateRouted(routed, routed.map((e) => e.targets));
  }

  async #evaluateRouted(events: readonly RuleInput[], targets: number[][]): Promise<EvalResult> {
    const slot = await this.#acquire();
    let response: WireEvalResponse;
    try {
      response = await this.#requestWithTimeout(
        slot,
        encodeEvalRequest(events.map((e) => e.json), targets),
      );
    } catch (err) {
      const reason = err instanceof TimeoutError ? "timeout" : "crash";
      log.warn(`Rule worker ${reason}; restarting it and re-running the batch in parts`, {
        events: events.length,
        error: err instanceof Error ? err.message : String(err),
      });
      try {
        await this.#restart(slot);
      } finally {
        // Even a failed restart frees the slot, so other batches fail instead of waiting forever.
        this.#release(slot);
      }
      return await this.#bisect(events, targets, reason, err);
    }
    this.#release(slot);
    return this.#convert(events, response);
  }

  /** Splits a failing batch until the offending (event, rule) pair is isolated. */
  async #bisect(
    events: readonly RuleInput[],
    targets: number[][],
    reason: string,
    cause: unknown,
  ): Promise<EvalResult> {
    if (events.length === 1 && targets[0].length === 1) {
      const rule = this.#rules[targets[0][0]];
      return {
        matches: [],
        errors: [{
          ruleId: rule.id,
          rowId: events[0].rowId,
          type: reason,
          message: reason === "timeout"
            ? `rule did not finish within ${this.#timeoutMs / 1000}s`
            : `worker crashed: ${cause instanceof Error ? cause.message : String(cause)}`,
          traceback: null,
        }],
      };
    }
    let parts: [readonly RuleInput[], number[][]][];
    if (events.length > 1) {
      const mid = events.length >> 1;
      parts = [
        [events.slice(0, mid), targets.slice(0, mid)],
        [events.slice(mid), targets.slice(mid)],
      ];
    } else {
      const mid = targets[0].length >> 1;
      parts = [[events, [targets[0].slice(0, mid)]], [events, [targets[0].slice(mid)]]];
    }
    const merged: EvalResult = { matches: [], errors: [] };
    for (const [ev, tg] of parts) {
      const r = await this.#evaluateRouted(ev, tg);
      merged.matches.push(...r.matches);
      merged.errors.push(...r.errors);
    }
    if (events.length === 1) {
      // Both halves covered the same event: keep event order, then rule order.
      merged.matches.sort((a, b) => this.#ruleIndex(a.ruleId) - this.#ruleIndex(b.ruleId));
    }
    return merged;
  }

  #ruleIndex(id: string): number {
    return this.#rules.findIndex((r) => r.id === id);
  }

  #convert(events: readonly RuleInput[], response: WireEvalResponse): EvalResult {
    const matches: RuleMatch[] = [];
    const errors: RuleErrorRecord[] = [];
    for (const out of response.output ?? []) {
      const id = this.#rules[out.r]?.id ?? String(out.r);
      const n = (this.#outputLogs.get(id) ?? 0) + 1;
      this.#outputLogs.set(id, n);
      if (n <= MAX_OUTPUT_LOGS_PER_RULE) {
        log.info(`Rule "${id}" wrote output`, { text: out.text.slice(0, 4096) });
      }
      if (n === MAX_OUTPUT_LOGS_PER_RULE) {
        log.info(`Rule "${id}" keeps writing output; further output of this rule is not logged`);
      }
    }
    for (const res of response.results) {
      const ev = events[res.e];
      const rule = this.#rules[res.r];
      if (ev === undefined || rule === undefined) continue;
      if (res.error) {
        errors.push({
          ruleId: rule.id,
          rowId: ev.rowId,
          type: res.error.type,
          message: res.error.message,
          traceback: res.error.traceback,
        });
        continue;
      }
      const m = res.match;
      if (!m) continue;
      for (const e of m.errors ?? []) {
        errors.push({
          ruleId: rule.id,
          rowId: ev.rowId,
          type: e.type,
          message: e.message,
          traceback: e.traceback,
        });
      }
      matches.push({
        ruleId: rule.id,
        rowId: ev.rowId,
        eventTime: ev.eventTime,
        eventJson: ev.json,
        severity: canonicalSeverity(m.severity) ?? rule.severity,
        title: m.title ?? rule.displayName ?? rule.id,
        dedup: m.dedup,
        context: m.context,
        description: m.description,
        reference: m.reference,
        runbook: m.runbook,
        destinations: m.destinations,
      });
    }
    return { matches, errors };
  }

  async #requestWithTimeout(slot: Slot, frame: Uint8Array): Promise<WireEvalResponse> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        slot.worker.kill();
        reject(new TimeoutError(this.#timeoutMs));
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([slot.worker.request<WireEvalResponse>(frame), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #restart(slot: Slot): Promise<void> {
    slot.worker.kill();
    await slot.worker.close(0).catch(() => {});
    this.stats.workerRestarts++;
    slot.worker = new PythonWorker({ cwd: this.#options.cwd, label: slot.worker.label });
    await slot.worker.request(this.#loadRequest);
  }

  #acquire(): Promise<Slot> {
    const free = this.#slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(slot: Slot): void {
    const next = this.#waiters.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.close()));
  }
}

class TimeoutError extends Error {
  override name = "TimeoutError";
  constructor(ms: number) {
    super(`batch did not finish within ${ms / 1000}s`);
  }
}

/** Log lines of captured rule output per rule and run, before further output is dropped. */
const MAX_OUTPUT_LOGS_PER_RULE = 20;

/**
 * Starts the Python workers of an engine before its rule set is loaded, so the
 * interpreters boot while the YAML is parsed; hand them to {@link RuleEngine.start}.
 */
export function spawnRuleWorkers(
  options: Pick<RuleEngineOptions, "workers" | "cwd">,
): PythonWorker[] {
  const count = Math.max(1, options.workers ?? 1);
  const workers: PythonWorker[] = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(new PythonWorker({ cwd: options.cwd, label: `worker ${i + 1}` }));
    }
  } catch (err) {
    for (const w of workers) void w.close(0);
    throw new Error(
      `Cannot start the Python rule engine: ${err instanceof Error ? err.message : err}`,
    );
  }
  return workers;
}

/** The `load` request for `rules`, with the helpers and data models of `set`. */
export function buildLoadRequest(
  rules: readonly RuleMeta[],
  set: RuleSet,
  statePath: string | null,
): unknown {
  const wireRules: WireRule[] = rules.map((r) => ({
    id: r.id,
    path: r.pyPath,
    severity: r.severity,
    log_types: r.logTypes,
  }));
  const dataModels: WireDataModel[] = set.dataModels.map((m) => ({
    log_types: m.logTypes,
    mappings: m.mappings,
    module_path: m.modulePath,
  }));
  return {
    op: "load",
    helpers: set.helperDirs,
    state_path: statePath,
    rules: wireRules,
    data_models: dataModels,
  };
}

export { WorkerCrashedError };
