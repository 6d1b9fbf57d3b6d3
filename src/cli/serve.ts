/**
 * `iota serve --config iota.yaml`: the long-running loop over every enabled
 * integration of the config file, until SIGTERM or SIGINT.
 * @module
 */
import { EXIT_OK, UsageError } from "../errors.ts";
import { configureLog, log } from "../log.ts";
import { parseMetricsAddress } from "../serve/config.ts";
import {
  setupConfig,
  setupLake,
  setupOutputs,
  setupRuleEngine,
  setupRuleSet,
  setupStore,
} from "./_setup.ts";
import type { RuleEngine } from "../rules/pool.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/db.ts";
import { type IntegrationRecord, listIntegrations } from "../store/integrations.ts";
import { syncConfigIntegrations } from "../integrations/sync.ts";
import { StoreHealth } from "../integrations/tracker.ts";

/** Flags of `iota serve`. */
export interface ServeFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  logFormat?: string;
  rules: string[];
  helpers: string[];
  lake?: string;
  workers?: number;
  concurrency?: number;
  metrics?: string;
  shutdownTimeout?: number;
  ruleTimeout?: number;
}

/** Runs `iota serve`; returns the exit code once stopped. */
export async function runServe(flags: ServeFlags): Promise<number> {
  if (flags.config === undefined) {
    throw new UsageError(`"iota serve" needs --config FILE (see iota.example.yaml)`);
  }
  const cfg = await setupConfig(flags);
  configureLog(cfg.logLevel, cfg.logFormat);
  if (flags.concurrency !== undefined) cfg.serve.concurrency = flags.concurrency;
  if (flags.metrics !== undefined) {
    cfg.serve.metricsAddress = parseMetricsAddress(flags.metrics, "--metrics");
  }
  if (flags.shutdownTimeout !== undefined) cfg.serve.shutdownTimeoutSecs = flags.shutdownTimeout;
  const noneEnabled = `Invalid config "${cfg.file}" (state "${cfg.statePath}"): integrations: ` +
    "no enabled integration to serve";
  // Without a state file there are no integrations added with `iota integrations add` either.
  if (!cfg.integrations.some((i) => i.enabled) && !exists(cfg.statePath)) {
    throw new UsageError(noneEnabled);
  }
  // Signals are caught from the start, so a stop during start-up is still clean.
  const stops = signalQueue(["SIGTERM", "SIGINT"]);
  const store = setupStore(cfg);
  let integrations: IntegrationRecord[];
  try {
    integrations = startIntegrations(store, cfg);
    if (integrations.length === 0) throw new UsageError(noneEnabled);
  } catch (err) {
    stops.close();
    store.close();
    throw err;
  }
  const lake = await setupLake(cfg);
  let engine: RuleEngine | null = null;
  try {
    const ruleSet = await setupRuleSet(cfg, { tests: false });
    const { outputs, routing } = setupOutputs(cfg, ruleSet, { json: cfg.logFormat === "json" });
    engine = await setupRuleEngine(cfg, ruleSet, store, { timeoutSecs: flags.ruleTimeout });
    const { serve } = await import("../serve/runner.ts");
    const health = new StoreHealth(store, { failingAfter: cfg.serve.healthFailingAfter });
    await serve({
      cfg,
      store,
      lake,
      engine,
      outputs,
      routing,
      stopRequests: stops.requests,
      health,
      integrations,
    });
  } finally {
    stops.close();
    await engine?.close().catch((err) => log.warn(`Cannot stop rule workers: ${err}`));
    await lake.close();
    store.close();
  }
  return EXIT_OK;
}

/**
 * Syncs the config file's integrations into the state database (the file
 * wins, drift is logged) and returns every enabled stored integration.
 */
function startIntegrations(store: Store, cfg: Config): IntegrationRecord[] {
  if (cfg.file !== null) {
    const report = syncConfigIntegrations(store, cfg.integrations, cfg.file, Date.now());
    for (const w of report.warnings) log.warn(w);
  }
  return listIntegrations(store).filter((i) => i.enabled);
}

function exists(path: string): boolean {
  if (path === ":memory:") return false;
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Signals as an async stream of their names; listeners removed by `close`. */
function signalQueue(signals: Deno.Signal[]): {
  requests: AsyncIterable<string>;
  close(): void;
} {
  const arrived: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const handlers = signals.map((s) => {
    const h = () => {
      arrived.push(s);
      wake?.();
    };
    Deno.addSignalListener(s, h);
    return [s, h] as const;
  });
  return {
    requests: {
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          if (arrived.length > 0) {
            yield arrived.shift()!;
            continue;
          }
          await new Promise<void>((r) => wake = r);
          wake = null;
        }
      },
    },
    close() {
      closed = true;
      wake?.();
      for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
    },
  };
}
