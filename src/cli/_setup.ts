/**
 * Shared start-up of the commands that run the pipeline: config, store,
 * lake writer, rule engine and outputs.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { mkdirSync } from "node:fs";
import { type CommonFlags, type Config, resolveConfig } from "../config.ts";
import { openStore, type Store } from "../store/db.ts";
import { configureLog, log } from "../log.ts";
import type { LakeWriter } from "../lake/types.ts";
import { localLakeWriter, nullLakeWriter } from "../lake/writer.ts";
import { loadRuleSet, type RuleSet } from "../rules/loader.ts";
import { RuleEngine, spawnRuleWorkers } from "../rules/pool.ts";
import type { PythonWorker } from "../rules/worker.ts";
import { bundledRulesDir } from "../assets.ts";
import type { Output } from "../alerts/outputs/types.ts";
import { outputsFromConfig } from "../alerts/outputs/registry.ts";
import { resolveRouting, type Routing } from "../alerts/routing.ts";
import { recordRuleErrors } from "../store/rule_errors.ts";

/** Resolves config and applies its log level. */
export async function setupConfig(flags: CommonFlags): Promise<Config> {
  const cfg = await resolveConfig(flags);
  configureLog(cfg.logLevel);
  return cfg;
}

/** Opens the state database named by the config. */
export function setupStore(cfg: Config): Store {
  return openStore(cfg.statePath);
}

/** The lake writer for `--lake`: a local directory, `s3://bucket/prefix` or `none`. */
export async function setupLake(cfg: Config): Promise<LakeWriter> {
  if (cfg.lake === "none") return nullLakeWriter();
  if (cfg.lake.startsWith("s3://")) {
    const { parseS3Url, createS3Client } = await import("../sources/s3.ts");
    const { s3LakeWriter } = await import("../lake/s3_writer.ts");
    const loc = parseS3Url(cfg.lake);
    return s3LakeWriter(await createS3Client(cfg.aws), loc);
  }
  return localLakeWriter(resolve(cfg.lake));
}

/**
 * Loads the rule trees of the config (bundled rules when none are given);
 * `tests: false` skips the rules' unit tests, which only `rules test` runs.
 */
export async function setupRuleSet(
  cfg: Config,
  options: { tests?: boolean } = {},
): Promise<RuleSet> {
  const dirs = cfg.rules.length > 0 ? cfg.rules : [bundledRulesDir()];
  const set = await loadRuleSet(dirs, cfg.helpers, options);
  for (const p of set.problems) log.error(`Cannot load "${p.path}": ${p.message}`);
  return set;
}

/** Working directory of Python workers, inside the state directory. */
export function workerDir(cfg: Config): string {
  const dir = cfg.statePath === ":memory:"
    ? Deno.makeTempDirSync({ prefix: "iota-worker-" })
    : join(dirname(resolve(cfg.statePath)), "worker");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts the config's Python workers ahead of the rule set (see {@link setupRuleEngine}). */
export function spawnWorkers(cfg: Config): PythonWorker[] {
  return spawnRuleWorkers({ workers: cfg.workers, cwd: workerDir(cfg) });
}

/**
 * Starts the rule engine, on `spawned` workers when given, and records rules
 * that failed to load as rule errors.
 */
export async function setupRuleEngine(
  cfg: Config,
  set: RuleSet,
  store: Store,
  options: { timeoutSecs?: number; prefilter?: boolean; spawned?: PythonWorker[] } = {},
): Promise<RuleEngine> {
  const engine = await RuleEngine.start(set, {
    workers: cfg.workers,
    cwd: workerDir(cfg),
    statePath: cfg.statePath === ":memory:" ? null : resolve(cfg.statePath),
    timeoutSecs: options.timeoutSecs,
    prefilter: options.prefilter,
  }, options.spawned);
  for (const f of engine.report.failed) {
    log.error(`Cannot load rule "${f.ruleId}": ${f.message}`);
  }
  store.transaction(() => recordRuleErrors(store, engine.report.failed, null));
  return engine;
}

/**
 * Outputs from the config (the built-in stdout output when none are
 * configured) and the routing checked against the rules.
 * @throws UsageError on a bad output config or a rule naming an unknown output.
 */
export function setupOutputs(
  cfg: Config,
  rules: RuleSet | null,
  options: { json: boolean },
): { outputs: Map<string, Output>; routing: Routing } {
  const outputs = outputsFromConfig(cfg, { stdoutFormat: options.json ? "json" : "text" });
  const routing = resolveRouting(rules?.rules ?? [], outputs, {
    defaultOutputs: cfg.defaultOutputs,
    file: cfg.file,
  });
  return { outputs, routing };
}
