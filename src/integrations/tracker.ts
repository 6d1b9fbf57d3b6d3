/**
 * The SQLite-backed {@linkcode HealthTracker} of `iota serve`: every loop
 * outcome and object is written to the integration's health row (objects in
 * their own commit transaction), so `/healthz`, `/metrics` and
 * `iota integrations health` all read one verdict.
 * @module
 */
import type { HealthReport, HealthTracker, IntegrationHealth } from "../serve/health.ts";
import type { Store } from "../store/db.ts";
import type { SourceObjectRef } from "../process/types.ts";
import type { CommittedObject } from "../pipeline.ts";
import { getIntegration } from "../store/integrations.ts";
import {
  getHealth,
  recordLoop,
  recordObjectFailure,
  recordObjectHealth,
  windowCounts,
} from "../store/integration_health.ts";
import { type Clock, computeStatus, formatDuration, type StatusOptions } from "./status.ts";
import { keyAccountRegion } from "./_keys.ts";

/** Error texts of AWS calls refused for lack of permission or bad credentials. */
const DENIED =
  /access ?denied|not authori[sz]ed|forbidden|is denied|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|InvalidAccessKeyId/i;

/** True when an error message says the call was refused for lack of permission. */
export function isAccessDenied(message: string): boolean {
  return DENIED.test(message);
}

/** A HealthTracker that persists health in the state database. */
export class StoreHealth implements HealthTracker {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #options: StatusOptions;
  readonly #started: number;
  readonly #loopAge = new Map<string, number>();

  /**
   * @param store the state database (integrations must be stored before `register`)
   * @param options `clock` (default `Date.now`) and `failingAfter` (default 3)
   */
  constructor(store: Store, options: StatusOptions & { clock?: Clock } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? Date.now;
    this.#options = { failingAfter: options.failingAfter };
    this.#started = this.#clock();
  }

  register(name: string, maxLoopAgeSecs: number): void {
    if (getIntegration(this.#store, name) === undefined) {
      throw new Error(`unknown integration "${name}"`);
    }
    this.#loopAge.set(name, maxLoopAgeSecs);
  }

  loopOk(name: string, now = this.#clock()): void {
    recordLoop(this.#store, name, { ok: true }, now);
  }

  failed(name: string, what: "loop" | "object", reason: string): void {
    const now = this.#clock();
    if (what === "loop") {
      recordLoop(
        this.#store,
        name,
        { ok: false, reason, accessDenied: isAccessDenied(reason) },
        now,
      );
    } else {
      recordObjectFailure(this.#store, name, reason, now);
    }
  }

  objectDone(_name: string, _events: number, _now?: number): void {
    // Counted by onCommit inside the object's transaction; a skipped object adds nothing.
  }

  onCommit(obj: SourceObjectRef, committed: CommittedObject): void {
    const { account, region } = keyAccountRegion(obj.key);
    recordObjectHealth(this.#store, obj.sourceId, {
      key: obj.uri,
      events: committed.events,
      badRecords: committed.badRecords,
      ruleErrors: committed.ruleErrors,
      error: committed.error,
      lastEventTime: committed.lastEventTime,
      account,
      region,
    }, this.#clock());
  }

  report(now = this.#clock()): HealthReport {
    const integrations = [...this.#loopAge.entries()].flatMap(([name, maxLoopAgeSecs]) => {
      const rec = getIntegration(this.#store, name);
      if (rec === undefined) return [];
      const h = getHealth(this.#store, name);
      const verdict = computeStatus(rec, h, now, this.#options);
      // Disabled after serve started: no longer part of the verdict (it stops at the next start).
      if (verdict.status === "disabled") return [];
      let status = verdict.status;
      let reason = verdict.reason;
      // A loop that stopped completing calls is stale even while objects are recent.
      const loopSince = h.lastLoopAt ?? this.#started;
      if (status === "healthy" && now - loopSince > maxLoopAgeSecs * 1000) {
        status = "stale";
        reason = `no completed list/receive call for ${formatDuration((now - loopSince) / 1000)}`;
      }
      const day = windowCounts(this.#store, name, 24 * 3_600_000, now);
      const health: IntegrationHealth & {
        status: typeof status;
        reason: string;
        lastEventTime: number | null;
        lagSecs: number | null;
      } = {
        name,
        lastLoopAt: h.lastLoopAt,
        lastObjectAt: h.lastObjectAt,
        failing: status === "failing",
        loopFailing: h.loopFailures > 0,
        objectFailing: h.objectFailures > 0,
        lastError: h.lastError,
        objects: day.objects,
        events: day.events,
        errors: day.errors,
        maxLoopAgeSecs,
        status,
        reason,
        lastEventTime: h.lastEventTime,
        lagSecs: h.lastEventTime === null ? null : Math.round((now - h.lastEventTime) / 1000),
      };
      return [health];
    });
    return { healthy: integrations.every((i) => i.status === "healthy"), integrations };
  }
}
