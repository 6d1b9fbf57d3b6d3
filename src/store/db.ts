/**
 * Opens the one SQLite file that holds all of iota's state.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import { MIGRATIONS } from "./migrations.ts";
import { UsageError } from "../errors.ts";

/** Default location of the state file. */
export const DEFAULT_STATE_PATH = "./iota-state/iota.db";

/** An open state database. */
export interface Store {
  readonly db: DatabaseSync;
  readonly path: string;
  /** Runs `fn` inside one IMMEDIATE transaction; rolls back if it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Opens (creating if needed) the state database at `path`, sets WAL mode and
 * applies pending migrations.
 *
 * @throws UsageError when the file cannot be opened or is not an iota database.
 */
export function openStore(path: string): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    // First, so that switching to WAL waits for another process's write instead of failing.
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
  } catch (err) {
    throw new UsageError(
      `Cannot open state database "${path}": ${err instanceof Error ? err.message : err}`,
    );
  }
  migrate(db, path);
  let depth = 0;
  return {
    db,
    path,
    transaction<T>(fn: () => T): T {
      // Nested calls join the outer transaction.
      if (depth > 0) return fn();
      db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      } finally {
        depth--;
      }
    },
    close() {
      db.close();
    },
  };
}

function migrate(db: DatabaseSync, path: string): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const row = db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as
    | { v: number | null }
    | undefined;
  const current = row?.v ?? 0;
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  if (current > latest) {
    throw new UsageError(
      `Cannot use state database "${path}": schema version ${current} is newer than this iota (${latest})`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .run(m.version, m.name, Date.now());
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw new UsageError(
        `Cannot migrate state database "${path}" to version ${m.version}: ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
  }
}
