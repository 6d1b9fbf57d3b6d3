/**
 * Health of each integration while `iota serve` runs: when its loop last
 * completed an iteration, whether it is failing and why, and what it has
 * processed. {@linkcode MemoryHealth} keeps it in memory; serve uses the
 * SQLite-backed tracker of `src/integrations/tracker.ts`, which persists it
 * for `iota integrations health`.
 * @module
 */
import type { SourceObjectRef } from "../process/types.ts";
import type { CommittedObject } from "../pipeline.ts";

/** What is known about one integration. */
export interface IntegrationHealth {
  name: string;
  /** Last time a loop iteration (receive or listing) completed, ms since epoch. */
  lastLoopAt: number | null;
  /** Last time an object was committed. */
  lastObjectAt: number | null;
  /** True while the last receive/list call or the last object failed. */
  failing: boolean;
  /** The last receive/list call failed (cleared by the next that works). */
  loopFailing: boolean;
  /** The last object failed (cleared by the next object that commits). */
  objectFailing: boolean;
  lastError: string | null;
  objects: number;
  events: number;
  errors: number;
  /** Seconds after which a silent loop counts as unhealthy. */
  maxLoopAgeSecs: number;
}

/** The verdict `/healthz` reports. */
export interface HealthReport {
  healthy: boolean;
  integrations: (IntegrationHealth & {
    status: "healthy" | "stale" | "failing";
    /** Why the status is what it is, when the tracker knows. */
    reason?: string;
    /** Seconds from the newest event seen to now, when the tracker knows. */
    lagSecs?: number | null;
  })[];
}

/** Records loop and object outcomes per integration. */
export interface HealthTracker {
  /** Adds an integration, healthy until proven otherwise. */
  register(name: string, maxLoopAgeSecs: number): void;
  /** A loop iteration finished without error. */
  loopOk(name: string, now?: number): void;
  /** A loop iteration (`loop`) or an object (`object`) failed. */
  failed(name: string, what: "loop" | "object", reason: string): void;
  /** An object was committed (or found already done) with `events` events. */
  objectDone(name: string, events: number, now?: number): void;
  /** Every integration and the overall verdict at `now`. */
  report(now?: number): HealthReport;
  /**
   * Called inside an object's SQLite transaction once it is marked done, so
   * persisted health commits atomically with the object (optional).
   */
  onCommit?(obj: SourceObjectRef, committed: CommittedObject): void;
}

/** A HealthTracker that keeps everything in memory. */
export class MemoryHealth implements HealthTracker {
  #byName = new Map<string, IntegrationHealth>();
  readonly #started: number;

  constructor(started = Date.now()) {
    this.#started = started;
  }

  register(name: string, maxLoopAgeSecs: number): void {
    this.#byName.set(name, {
      name,
      lastLoopAt: null,
      lastObjectAt: null,
      failing: false,
      loopFailing: false,
      objectFailing: false,
      lastError: null,
      objects: 0,
      events: 0,
      errors: 0,
      maxLoopAgeSecs,
    });
  }

  loopOk(name: string, now = Date.now()): void {
    const h = this.#get(name);
    h.lastLoopAt = now;
    h.loopFailing = false;
    h.failing = h.objectFailing;
  }

  failed(name: string, what: "loop" | "object", reason: string): void {
    const h = this.#get(name);
    if (what === "loop") h.loopFailing = true;
    else h.objectFailing = true;
    h.failing = true;
    h.lastError = reason;
    h.errors++;
  }

  objectDone(name: string, events: number, now = Date.now()): void {
    const h = this.#get(name);
    h.objectFailing = false;
    h.failing = h.loopFailing;
    h.lastObjectAt = now;
    h.objects++;
    h.events += events;
  }

  report(now = Date.now()): HealthReport {
    const integrations = [...this.#byName.values()].map((h) => {
      const since = h.lastLoopAt ?? this.#started;
      const stale = now - since > h.maxLoopAgeSecs * 1000;
      const status: "healthy" | "stale" | "failing" = h.failing
        ? "failing"
        : stale
        ? "stale"
        : "healthy";
      return { ...h, status };
    });
    return { healthy: integrations.every((i) => i.status === "healthy"), integrations };
  }

  #get(name: string): IntegrationHealth {
    const h = this.#byName.get(name);
    if (!h) throw new Error(`unknown integration "${name}"`);
    return h;
  }
}
