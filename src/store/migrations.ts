/**
 * Numbered schema migrations. Append only: never edit a migration that has shipped.
 * @module
 */

/** One schema step; `version` is its position, starting at 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE objects (
        uri TEXT PRIMARY KEY,
        etag TEXT NOT NULL,
        size INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        records INTEGER NOT NULL,
        events INTEGER NOT NULL,
        bad_records INTEGER NOT NULL,
        error TEXT,
        lake_files INTEGER NOT NULL DEFAULT 0,
        first_event_time INTEGER,
        last_event_time INTEGER,
        processed_at INTEGER NOT NULL
      );
      CREATE INDEX objects_source ON objects(source_id, processed_at);

      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        dedup TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        reference TEXT,
        runbook TEXT,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        first_event_time INTEGER NOT NULL,
        last_event_time INTEGER NOT NULL,
        match_count INTEGER NOT NULL,
        fired INTEGER NOT NULL,
        context TEXT,
        sample_row_ids TEXT NOT NULL,
        sample_events TEXT NOT NULL,
        destinations TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX alerts_key ON alerts(rule_id, dedup, window_start);
      CREATE INDEX alerts_created ON alerts(created_at);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts(id),
        output TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (alert_id, output)
      );
      CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

      CREATE TABLE rule_errors (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule_id TEXT NOT NULL,
        row_id TEXT,
        object_uri TEXT,
        error_type TEXT NOT NULL,
        message TEXT NOT NULL,
        traceback TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX rule_errors_once ON rule_errors(rule_id, ifnull(row_id, ''), error_type);
      CREATE INDEX rule_errors_rule ON rule_errors(rule_id, created_at);
    `,
  },
  {
    version: 2,
    name: "checkpoints",
    // One resumable position per (scope, key): S3 polling keeps its StartAfter key per
    // prefix, backfill keeps its progress per planned prefix.
    sql: `
      CREATE TABLE checkpoints (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 3,
    name: "integrations",
    // CloudTrail sources managed with `iota integrations` (and synced from the config file),
    // their health, and per-hour counts kept for two days (not one row per object forever).
    sql: `
      CREATE TABLE integrations (
        name TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        bucket TEXT NOT NULL,
        prefix TEXT NOT NULL,
        queue_url TEXT UNIQUE,
        poll_interval_secs REAL NOT NULL,
        visibility_timeout_secs INTEGER NOT NULL,
        region TEXT,
        role_arn TEXT,
        external_id TEXT,
        accounts TEXT NOT NULL,
        stale_after_secs REAL NOT NULL,
        enabled INTEGER NOT NULL,
        origin TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        enabled_at INTEGER NOT NULL
      );

      CREATE TABLE integration_health (
        name TEXT PRIMARY KEY REFERENCES integrations(name) ON DELETE CASCADE,
        last_object_key TEXT,
        last_object_at INTEGER,
        last_event_time INTEGER,
        object_failures INTEGER NOT NULL DEFAULT 0,
        loop_failures INTEGER NOT NULL DEFAULT 0,
        access_denied INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_error_at INTEGER,
        last_loop_at INTEGER,
        accounts TEXT NOT NULL DEFAULT '[]',
        regions TEXT NOT NULL DEFAULT '[]'
      );

      CREATE TABLE integration_hourly (
        name TEXT NOT NULL REFERENCES integrations(name) ON DELETE CASCADE,
        hour INTEGER NOT NULL,
        objects INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        bad_records INTEGER NOT NULL DEFAULT 0,
        rule_errors INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (name, hour)
      );
    `,
  },
];
