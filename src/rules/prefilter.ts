/**
 * Routes each event only to the rules that can match it, from the
 * eventName/eventSource sets the worker derived from each rule's code.
 * An empty route means the event never crosses into Python.
 * @module
 */

/** What a rule can match, as derived statically; null means "anything". */
export interface RuleFilter {
  logTypes: readonly string[];
  eventNames: ReadonlySet<string> | null;
  eventSources: ReadonlySet<string> | null;
}

/**
 * A prefilter as plain data, so it can be sent to a decode thread and routing
 * decided there (only events some rule may match cross back).
 */
export interface PrefilterSpec {
  filters: { logTypes: string[]; eventNames: string[] | null; eventSources: string[] | null }[];
  enabled: boolean;
}

const NONE: readonly number[] = Object.freeze([]);

/** Computes (and caches) the candidate rule indices for an event's shape. */
export class Prefilter {
  #filters: readonly RuleFilter[];
  #enabled: boolean;
  #cache = new Map<string, readonly number[]>();

  /** With `enabled` false every rule of the log type is a candidate (used to prove equivalence). */
  constructor(filters: readonly RuleFilter[], enabled = true) {
    this.#filters = filters;
    this.#enabled = enabled;
  }

  /** Rebuilds a prefilter sent as {@link PrefilterSpec}. */
  static fromSpec(spec: PrefilterSpec): Prefilter {
    return new Prefilter(
      spec.filters.map((f) => ({
        logTypes: f.logTypes,
        eventNames: f.eventNames === null ? null : new Set(f.eventNames),
        eventSources: f.eventSources === null ? null : new Set(f.eventSources),
      })),
      spec.enabled,
    );
  }

  /** This prefilter as plain data. */
  toSpec(): PrefilterSpec {
    return {
      filters: this.#filters.map((f) => ({
        logTypes: [...f.logTypes],
        eventNames: f.eventNames === null ? null : [...f.eventNames],
        eventSources: f.eventSources === null ? null : [...f.eventSources],
      })),
      enabled: this.#enabled,
    };
  }

  /** Rule indices (ascending) that may match an event of this log type, name and source. */
  candidates(
    logType: string,
    eventName: string | null,
    eventSource: string | null,
  ): readonly number[] {
    const key = `${logType}\u0000${eventName ?? "\u0001"}\u0000${eventSource ?? "\u0001"}`;
    let hit = this.#cache.get(key);
    if (hit === undefined) {
      const out: number[] = [];
      this.#filters.forEach((f, i) => {
        if (!f.logTypes.includes(logType)) return;
        if (this.#enabled) {
          // A missing name/source is not proof of a non-match (the rule's case-insensitive
          // lookup may still find a value), so it never excludes a rule.
          if (f.eventNames !== null && eventName !== null && !f.eventNames.has(eventName)) return;
          if (f.eventSources !== null && eventSource !== null && !f.eventSources.has(eventSource)) {
            return;
          }
        }
        out.push(i);
      });
      hit = out.length === 0 ? NONE : out;
      // Bound the cache: event names are a few thousand at most, but be safe.
      if (this.#cache.size > 50_000) this.#cache.clear();
      this.#cache.set(key, hit);
    }
    return hit;
  }
}
