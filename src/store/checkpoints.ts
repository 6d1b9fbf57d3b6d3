/**
 * The `checkpoints` table: where a resumable walk (S3 polling, backfill) got to.
 * A checkpoint is written in the same transaction as the objects it covers, so a
 * crash resumes at a position whose objects are all committed.
 * @module
 */
import type { Store } from "./db.ts";

/** The stored value of one checkpoint, or undefined when there is none. */
export function getCheckpoint(store: Store, scope: string, key: string): string | undefined {
  const row = store.db.prepare("SELECT value FROM checkpoints WHERE scope = ? AND key = ?")
    .get(scope, key) as { value: string } | undefined;
  return row?.value;
}

/** Sets a checkpoint. Call inside the transaction that commits the work it covers. */
export function setCheckpoint(
  store: Store,
  scope: string,
  key: string,
  value: string,
  now = Date.now(),
): void {
  store.db.prepare(
    `INSERT INTO checkpoints (scope, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(scope, key, value, now);
}

/** Every checkpoint of one scope, keyed by its key. */
export function listCheckpoints(store: Store, scope: string): Map<string, string> {
  const rows = store.db.prepare("SELECT key, value FROM checkpoints WHERE scope = ? ORDER BY key")
    .all(scope) as { key: string; value: string }[];
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** Removes every checkpoint of one scope. */
export function clearCheckpoints(store: Store, scope: string): void {
  store.db.prepare("DELETE FROM checkpoints WHERE scope = ?").run(scope);
}
