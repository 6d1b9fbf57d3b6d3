/**
 * Resumable backfills: one checkpoint per planned prefix (scope `backfill`,
 * key `LOCATION/PREFIX`) holding the last key committed in listing order and
 * whether the whole prefix is done. The position advances inside the
 * transaction of the object it names, so it never points past an object that
 * is not committed; a prefix whose objects all committed, and whose day is
 * over, is marked done and never listed again.
 * @module
 */
import type { Store } from "../store/db.ts";
import type { SourceObjectRef } from "../process/types.ts";
import { getCheckpoint, setCheckpoint } from "../store/checkpoints.ts";

/** Checkpoint scope of backfills. */
export const BACKFILL_SCOPE = "backfill";

/** CloudTrail keeps delivering into a day's prefix for a while after midnight UTC. */
export const DAY_CLOSED_AFTER_MS = 2 * 3_600_000;

/** A stored position in one prefix. */
export interface PrefixCheckpoint {
  /** Last key committed in listing order; listing resumes after it. */
  after: string | null;
  /** Every object of the prefix is committed and no more can arrive. */
  done: boolean;
}

/** Reads the checkpoint of `prefix` at `location`. */
export function readPrefixCheckpoint(
  store: Store,
  location: string,
  prefix: string,
): PrefixCheckpoint {
  const raw = getCheckpoint(store, BACKFILL_SCOPE, `${location}/${prefix}`);
  if (raw === undefined) return { after: null, done: false };
  try {
    const v = JSON.parse(raw) as Partial<PrefixCheckpoint>;
    return { after: typeof v.after === "string" ? v.after : null, done: v.done === true };
  } catch {
    // An unreadable position only costs a re-listing: objects already done are skipped anyway.
    return { after: null, done: false };
  }
}

interface PrefixState {
  /** Last listed key (the position once the prefix is done). */
  lastKey: string | null;
  outstanding: number;
  /** An object failed: the position must not move past it. */
  broken: boolean;
  closed: boolean;
}

/** Keeps the checkpoints of one backfill run. */
export class PrefixTracker {
  #store: Store;
  #location: string;
  #prefixes = new Map<string, PrefixState>();
  #objects = new Map<SourceObjectRef, { prefix: string; key: string }>();
  #committed = new Set<SourceObjectRef>();
  #onPrefixDone: (prefix: string) => void;

  /**
   * @param location the source location (`s3://bucket` or a directory)
   * @param options `closed(prefix)` says whether no more objects can arrive in a prefix;
   *   `onPrefixDone` is told when every object of a prefix has finished
   */
  constructor(
    store: Store,
    location: string,
    options: { closed(prefix: string): boolean; onPrefixDone?(prefix: string): void },
  ) {
    this.#store = store;
    this.#location = location;
    this.#closed = options.closed;
    this.#onPrefixDone = options.onPrefixDone ?? (() => {});
  }

  #closed: (prefix: string) => boolean;

  /** Starts a prefix whose remaining objects (in key order) are `keys`. */
  begin(prefix: string, objects: readonly { key: string; ref: SourceObjectRef }[]): void {
    const state: PrefixState = {
      lastKey: objects.length > 0 ? objects[objects.length - 1].key : null,
      outstanding: objects.length,
      broken: false,
      closed: this.#closed(prefix),
    };
    this.#prefixes.set(prefix, state);
    for (const o of objects) this.#objects.set(o.ref, { prefix, key: o.key });
    if (objects.length === 0) this.#finish(prefix, state);
  }

  /** Marks a prefix that could not be listed: it stays open for the next run. */
  failed(prefix: string): void {
    this.#onPrefixDone(prefix);
  }

  /** Pipeline hook, inside the object's transaction: moves the prefix's position to it. */
  onCommit(obj: SourceObjectRef): void {
    const o = this.#objects.get(obj);
    if (o === undefined) return;
    this.#committed.add(obj);
    const state = this.#prefixes.get(o.prefix);
    if (state === undefined || state.broken) return;
    this.#write(o.prefix, { after: o.key, done: false });
  }

  /** Runner hook: the object finished (outcome null when processing threw). */
  onFinished(obj: SourceObjectRef, outcome: { skipped: boolean } | null): void {
    const o = this.#objects.get(obj);
    if (o === undefined) return;
    this.#objects.delete(obj);
    const committed = this.#committed.delete(obj);
    const state = this.#prefixes.get(o.prefix)!;
    // A failure, or an object left uncommitted (it could not be read), keeps the position before it.
    if (outcome === null || (!outcome.skipped && !committed)) state.broken = true;
    state.outstanding--;
    if (state.outstanding === 0) this.#finish(o.prefix, state);
  }

  #finish(prefix: string, state: PrefixState): void {
    this.#prefixes.delete(prefix);
    if (!state.broken && state.closed) {
      // Covers objects already committed in their own transactions.
      const previous = readPrefixCheckpoint(this.#store, this.#location, prefix);
      this.#store.transaction(() =>
        this.#write(prefix, { after: state.lastKey ?? previous.after, done: true })
      );
    }
    this.#onPrefixDone(prefix);
  }

  #write(prefix: string, value: PrefixCheckpoint): void {
    setCheckpoint(
      this.#store,
      BACKFILL_SCOPE,
      `${this.#location}/${prefix}`,
      JSON.stringify(value),
    );
  }
}
