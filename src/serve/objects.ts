/**
 * Runs one source object of an integration through the pipeline for
 * `iota serve`: within the global concurrency limit, never twice at the same
 * time (a redelivered notification waits for the copy in work and then finds
 * the object done), with its outcome logged, counted and reported to health.
 * @module
 */
import type { PipelineContext } from "../pipeline.ts";
import { processObject } from "../pipeline.ts";
import type { SourceObjectRef } from "../process/types.ts";
import type { Store } from "../store/db.ts";
import { isObjectProcessed } from "../store/objects.ts";
import type { IntegrationConfig } from "../config.ts";
import { s3ObjectRef } from "../sources/s3.ts";
import type { HealthTracker } from "./health.ts";
import type { ServeMetrics } from "./metrics.ts";
import type { Limiter } from "./limiter.ts";
import { log } from "../log.ts";

/** What became of one object. */
export interface ObjectResult {
  /**
   * committed: processed and committed now; skipped: already done; failed: not
   * committed (unreadable, or a failure of iota itself), try again later;
   * abandoned: not started because serve is stopping.
   */
  status: "committed" | "skipped" | "failed" | "abandoned";
  events: number;
  /** Why it failed, for failed objects. */
  reason: string | null;
}

/** Everything the object runner uses; built once per `iota serve` run. */
export interface ObjectRunnerDeps {
  ctx: PipelineContext;
  limiter: Limiter;
  metrics: ServeMetrics;
  health: HealthTracker;
  /** Aborted when serve stops taking new objects. */
  signal: AbortSignal;
}

/** The SourceObjectRef of an S3 object of an integration. */
export function integrationObject(
  integration: IntegrationConfig,
  o: { bucket: string; key: string; size: number; etag: string },
): SourceObjectRef {
  return s3ObjectRef(o, { id: integration.name, label: integration.label });
}

const ACCOUNT_IN_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\//;

/**
 * Why an integration does not take `key` of `bucket` (another bucket, outside
 * its prefix, an account it does not list, a folder marker), or null when it does.
 */
export function notTakenReason(
  integration: IntegrationConfig,
  bucket: string,
  key: string,
): string | null {
  if (bucket !== integration.bucket) return `bucket is not "${integration.bucket}"`;
  if (!key.startsWith(integration.prefix)) return `key is not under "${integration.prefix}"`;
  if (key.endsWith("/")) return "a folder marker";
  if (integration.accounts.length > 0) {
    const account = key.match(ACCOUNT_IN_KEY)?.[1];
    if (account === undefined || !integration.accounts.includes(account)) {
      return `account ${account ?? "(none in key)"} is not in accounts`;
    }
  }
  return null;
}

/** Processes objects for the integration loops. */
export class ObjectRunner {
  readonly #deps: ObjectRunnerDeps;
  readonly #inWork = new Map<string, Promise<ObjectResult>>();

  constructor(deps: ObjectRunnerDeps) {
    this.#deps = deps;
  }

  /** Objects being processed right now. */
  get inFlight(): number {
    return this.#deps.limiter.active;
  }

  /**
   * Processes `obj` unless it is done already. `withinCommit` runs inside the
   * object's SQLite transaction (polling writes its checkpoint there).
   */
  async run(
    integration: IntegrationConfig,
    obj: SourceObjectRef,
    options: { withinCommit?: () => void } = {},
  ): Promise<ObjectResult> {
    // Two notifications of one object (a redelivery while the first is in work)
    // must not both pass the "already processed" check: the second waits.
    while (this.#inWork.has(obj.uri)) await this.#inWork.get(obj.uri)!.catch(() => {});
    const work = this.#deps.limiter.run(() => this.#process(integration, obj, options));
    this.#inWork.set(obj.uri, work);
    try {
      return await work;
    } finally {
      if (this.#inWork.get(obj.uri) === work) this.#inWork.delete(obj.uri);
    }
  }

  async #process(
    integration: IntegrationConfig,
    obj: SourceObjectRef,
    options: { withinCommit?: () => void },
  ): Promise<ObjectResult> {
    const { ctx, metrics, health, signal } = this.#deps;
    const labels = { integration: integration.name };
    if (signal.aborted) return { status: "abandoned", events: 0, reason: null };
    const started = performance.now();
    const store = options.withinCommit ? storeWithHook(ctx.store, options.withinCommit) : ctx.store;
    try {
      const outcome = await processObject(obj, store === ctx.store ? ctx : { ...ctx, store });
      if (outcome.skipped) {
        metrics.objects.inc({ ...labels, result: "skipped" });
        log.debug(`Object "${obj.uri}" was already processed`, labels);
        health.objectDone(integration.name, 0);
        return { status: "skipped", events: 0, reason: null };
      }
      if (outcome.error !== null && !isObjectProcessed(ctx.store, obj.uri, obj.etag)) {
        // A read failure (missing object, access denied) is not recorded as done.
        const reason = outcome.error.replace(/^cannot read: /, "");
        return this.#failed(integration, obj, reason);
      }
      const seconds = (performance.now() - started) / 1000;
      metrics.processingSeconds.observe(labels, seconds);
      metrics.objects.inc({ ...labels, result: "processed" });
      metrics.events.inc(labels, outcome.events);
      if (outcome.badRecords > 0) metrics.badRecords.inc(labels, outcome.badRecords);
      if (outcome.ruleErrors > 0) metrics.ruleErrors.inc(labels, outcome.ruleErrors);
      for (const a of outcome.fired) metrics.alerts.inc({ ...labels, severity: a.severity });
      health.objectDone(integration.name, outcome.events);
      if (outcome.error !== null) {
        log.error(`Cannot decode object "${obj.uri}": ${outcome.error}`, {
          ...labels,
          events_kept: outcome.events,
        });
      } else if (outcome.badRecords > 0) {
        const shown = outcome.badReasons.slice(0, 3).map((b) => b.reason).join("; ");
        log.warn(`Object "${obj.uri}" has ${outcome.badRecords} bad records: ${shown}`, labels);
      }
      log.info(`Processed "${obj.uri}"`, {
        ...labels,
        kind: outcome.kind,
        events: outcome.events,
        alerts: outcome.fired.length,
        seconds: Math.round(seconds * 1000) / 1000,
      });
      return { status: "committed", events: outcome.events, reason: null };
    } catch (err) {
      return this.#failed(integration, obj, err instanceof Error ? err.message : String(err));
    }
  }

  #failed(integration: IntegrationConfig, obj: SourceObjectRef, reason: string): ObjectResult {
    const labels = { integration: integration.name };
    this.#deps.metrics.objects.inc({ ...labels, result: "error" });
    if (this.#deps.signal.aborted) {
      // Stopping (e.g. the rule workers were closed) is not the object's fault.
      return { status: "abandoned", events: 0, reason };
    }
    this.#deps.health.failed(
      integration.name,
      "object",
      `Cannot read object "${obj.uri}": ${reason}`,
    );
    log.error(`Cannot read object "${obj.uri}": ${reason}`, labels);
    return { status: "failed", events: 0, reason };
  }
}

/** The store, with `hook` run once at the end of its next outermost transaction. */
function storeWithHook(store: Store, hook: () => void): Store {
  let ran = false;
  return {
    db: store.db,
    path: store.path,
    close: () => store.close(),
    transaction<T>(fn: () => T): T {
      return store.transaction(() => {
        const result = fn();
        if (!ran) {
          ran = true;
          hook();
        }
        return result;
      });
    },
  };
}
