/**
 * The `objects` table: every source object iota has finished, so re-runs skip it.
 * @module
 */
import type { Store } from "./db.ts";
import type { ObjectKind } from "../process/types.ts";

/** What iota records about a finished source object. */
export interface ObjectRecord {
  uri: string;
  etag: string;
  size: number;
  sourceId: string;
  kind: ObjectKind;
  records: number;
  events: number;
  badRecords: number;
  error: string | null;
  lakeFiles: number;
  firstEventTime: number | null;
  lastEventTime: number | null;
  processedAt: number;
}

/** True when the object with this uri and etag was already processed. */
export function isObjectProcessed(store: Store, uri: string, etag: string): boolean {
  const row = store.db.prepare("SELECT etag FROM objects WHERE uri = ?").get(uri) as
    | { etag: string }
    | undefined;
  return row !== undefined && row.etag === etag;
}

/** Inserts or replaces the record of a finished object. Call inside the object's transaction. */
export function markObjectProcessed(store: Store, rec: ObjectRecord): void {
  store.db.prepare(
    `INSERT INTO objects (uri, etag, size, source_id, kind, records, events, bad_records, error,
       lake_files, first_event_time, last_event_time, processed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (uri) DO UPDATE SET etag = excluded.etag, size = excluded.size,
       source_id = excluded.source_id, kind = excluded.kind, records = excluded.records,
       events = excluded.events, bad_records = excluded.bad_records, error = excluded.error,
       lake_files = excluded.lake_files, first_event_time = excluded.first_event_time,
       last_event_time = excluded.last_event_time, processed_at = excluded.processed_at`,
  ).run(
    rec.uri,
    rec.etag,
    rec.size,
    rec.sourceId,
    rec.kind,
    rec.records,
    rec.events,
    rec.badRecords,
    rec.error,
    rec.lakeFiles,
    rec.firstEventTime,
    rec.lastEventTime,
    rec.processedAt,
  );
}

/** Totals over every processed object. */
export function objectTotals(
  store: Store,
): { objects: number; events: number; badRecords: number; failed: number } {
  const row = store.db.prepare(
    `SELECT count(*) AS objects, coalesce(sum(events), 0) AS events,
       coalesce(sum(bad_records), 0) AS bad, coalesce(sum(error IS NOT NULL), 0) AS failed
     FROM objects`,
  ).get() as { objects: number; events: number; bad: number; failed: number };
  return { objects: row.objects, events: row.events, badRecords: row.bad, failed: row.failed };
}
