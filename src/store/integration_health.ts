/**
 * The health of each integration (`integration_health`) and its per-hour
 * counts (`integration_hourly`). Objects are recorded inside the transaction
 * that commits them, so health never runs ahead of the stored objects.
 * @module
 */
import type { Store } from "./db.ts";

/** Hourly counts older than this are deleted as new hours are written. */
export const HOURLY_RETENTION_MS = 48 * 3_600_000;
/** Most accounts or regions remembered per integration. */
const MAX_SEEN = 500;
const HOUR_MS = 3_600_000;

/** The stored health of one integration. */
export interface HealthRecord {
  name: string;
  lastObjectKey: string | null;
  /** When the last object committed (ms since epoch). */
  lastObjectAt: number | null;
  /** Newest event time seen in any object. */
  lastEventTime: number | null;
  /** Objects in a row that failed (cleared by one that commits cleanly). */
  objectFailures: number;
  /** List/receive calls in a row that failed. */
  loopFailures: number;
  /** The last list/receive call was refused for lack of permission. */
  accessDenied: boolean;
  lastError: string | null;
  lastErrorAt: number | null;
  /** When serve's loop last completed a list/receive call. */
  lastLoopAt: number | null;
  accounts: string[];
  regions: string[];
}

/** Counts over a window, summed from hourly buckets. */
export interface WindowCounts {
  objects: number;
  events: number;
  badRecords: number;
  ruleErrors: number;
  errors: number;
}

interface HealthRow {
  name: string;
  last_object_key: string | null;
  last_object_at: number | null;
  last_event_time: number | null;
  object_failures: number;
  loop_failures: number;
  access_denied: number;
  last_error: string | null;
  last_error_at: number | null;
  last_loop_at: number | null;
  accounts: string;
  regions: string;
}

/** The health row of an integration (an empty one when nothing was recorded yet). */
export function getHealth(store: Store, name: string): HealthRecord {
  const r = store.db.prepare("SELECT * FROM integration_health WHERE name = ?").get(name) as
    | HealthRow
    | undefined;
  if (r === undefined) {
    return {
      name,
      lastObjectKey: null,
      lastObjectAt: null,
      lastEventTime: null,
      objectFailures: 0,
      loopFailures: 0,
      accessDenied: false,
      lastError: null,
      lastErrorAt: null,
      lastLoopAt: null,
      accounts: [],
      regions: [],
    };
  }
  return {
    name: r.name,
    lastObjectKey: r.last_object_key,
    lastObjectAt: r.last_object_at,
    lastEventTime: r.last_event_time,
    objectFailures: r.object_failures,
    loopFailures: r.loop_failures,
    accessDenied: r.access_denied === 1,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    lastLoopAt: r.last_loop_at,
    accounts: JSON.parse(r.accounts) as string[],
    regions: JSON.parse(r.regions) as string[],
  };
}

/** What one committed object adds to its integration's health. */
export interface ObjectHealthUpdate {
  key: string;
  events: number;
  badRecords: number;
  ruleErrors: number;
  /** Object-level failure (corrupt file): counts as an error on the object. */
  error: string | null;
  lastEventTime: number | null;
  account: string | null;
  region: string | null;
}

/**
 * Records a committed object. Call inside the object's transaction.
 * An object with an error extends the failure streak; a clean one ends it.
 */
export function recordObjectHealth(
  store: Store,
  name: string,
  u: ObjectHealthUpdate,
  now: number,
): void {
  const h = getHealth(store, name);
  const failed = u.error !== null;
  const add = (list: string[], v: string | null) =>
    v === null || list.includes(v) || list.length >= MAX_SEEN ? list : [...list, v].sort();
  store.db.prepare(
    `INSERT INTO integration_health (name, last_object_key, last_object_at, last_event_time,
       object_failures, last_error, last_error_at, accounts, regions)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET last_object_key = excluded.last_object_key,
       last_object_at = excluded.last_object_at, last_event_time = excluded.last_event_time,
       object_failures = excluded.object_failures, last_error = excluded.last_error,
       last_error_at = excluded.last_error_at, accounts = excluded.accounts,
       regions = excluded.regions`,
  ).run(
    name,
    u.key,
    now,
    maxOrNull(h.lastEventTime, u.lastEventTime),
    failed ? h.objectFailures + 1 : 0,
    failed ? `Cannot decode object "${u.key}": ${u.error}` : h.lastError,
    failed ? now : h.lastErrorAt,
    JSON.stringify(add(h.accounts, u.account)),
    JSON.stringify(add(h.regions, u.region)),
  );
  addHourly(store, name, now, {
    objects: 1,
    events: u.events,
    badRecords: u.badRecords,
    ruleErrors: u.ruleErrors,
    errors: failed ? 1 : 0,
  });
}

/** Records an object that could not be read (not committed): one more failure in a row. */
export function recordObjectFailure(store: Store, name: string, reason: string, now: number): void {
  store.transaction(() => {
    store.db.prepare(
      `UPDATE integration_health SET object_failures = object_failures + 1, last_error = ?,
         last_error_at = ? WHERE name = ?`,
    ).run(reason, now, name);
    addHourly(store, name, now, { objects: 0, events: 0, badRecords: 0, ruleErrors: 0, errors: 1 });
  });
}

/** Records the outcome of one list/receive call of serve's loop. */
export function recordLoop(
  store: Store,
  name: string,
  outcome: { ok: true } | { ok: false; reason: string; accessDenied: boolean },
  now: number,
): void {
  if (outcome.ok) {
    store.db.prepare(
      `UPDATE integration_health SET last_loop_at = ?, loop_failures = 0, access_denied = 0
       WHERE name = ?`,
    ).run(now, name);
    return;
  }
  store.db.prepare(
    `UPDATE integration_health SET loop_failures = loop_failures + 1, access_denied = ?,
       last_error = ?, last_error_at = ? WHERE name = ?`,
  ).run(outcome.accessDenied ? 1 : 0, outcome.reason, now, name);
}

/** Adds counts to the hour bucket of `now` and drops buckets past the retention. */
function addHourly(store: Store, name: string, now: number, c: WindowCounts): void {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  store.db.prepare(
    `INSERT INTO integration_hourly (name, hour, objects, events, bad_records, rule_errors, errors)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name, hour) DO UPDATE SET objects = objects + excluded.objects,
       events = events + excluded.events, bad_records = bad_records + excluded.bad_records,
       rule_errors = rule_errors + excluded.rule_errors, errors = errors + excluded.errors`,
  ).run(name, hour, c.objects, c.events, c.badRecords, c.ruleErrors, c.errors);
  store.db.prepare("DELETE FROM integration_hourly WHERE name = ? AND hour < ?")
    .run(name, hour - HOURLY_RETENTION_MS);
}

/**
 * Counts of the hour buckets that overlap the `windowMs` before `now` (so the
 * one-hour window includes all of the previous clock hour: it never under-counts).
 */
export function windowCounts(
  store: Store,
  name: string,
  windowMs: number,
  now: number,
): WindowCounts {
  const r = store.db.prepare(
    `SELECT coalesce(sum(objects), 0) AS objects, coalesce(sum(events), 0) AS events,
       coalesce(sum(bad_records), 0) AS bad, coalesce(sum(rule_errors), 0) AS rule_errors,
       coalesce(sum(errors), 0) AS errors
     FROM integration_hourly WHERE name = ? AND hour > ? AND hour <= ?`,
  ).get(name, now - windowMs - HOUR_MS, now) as {
    objects: number;
    events: number;
    bad: number;
    rule_errors: number;
    errors: number;
  };
  return {
    objects: r.objects,
    events: r.events,
    badRecords: r.bad,
    ruleErrors: r.rule_errors,
    errors: r.errors,
  };
}

/** Number of hour buckets stored for an integration. */
export function hourlyBucketCount(store: Store, name: string): number {
  const r = store.db.prepare("SELECT count(*) AS n FROM integration_hourly WHERE name = ?")
    .get(name) as { n: number };
  return r.n;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
