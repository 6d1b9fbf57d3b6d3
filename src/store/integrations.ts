/**
 * The `integrations` table: the CloudTrail sources `iota serve` reads, added
 * with `iota integrations add` or synced from the config file. Their health
 * is in `integration_health.ts`.
 * @module
 */
import type { Store } from "./db.ts";
import type { IntegrationConfig } from "../serve/config.ts";

/** One stored integration. */
export interface IntegrationRecord extends IntegrationConfig {
  /** No new object for longer than this many seconds makes the integration stale. */
  staleAfterSecs: number;
  /** `config` when synced from the config file (the file wins), `cli` when added by hand. */
  origin: "cli" | "config";
  createdAt: number;
  updatedAt: number;
  /** When it was last enabled (or created): staleness counts from here until a first object. */
  enabledAt: number;
}

interface IntegrationRow {
  name: string;
  label: string;
  bucket: string;
  prefix: string;
  queue_url: string | null;
  poll_interval_secs: number;
  visibility_timeout_secs: number;
  region: string | null;
  role_arn: string | null;
  external_id: string | null;
  accounts: string;
  stale_after_secs: number;
  enabled: number;
  origin: string;
  created_at: number;
  updated_at: number;
  enabled_at: number;
}

function fromRow(r: IntegrationRow): IntegrationRecord {
  return {
    name: r.name,
    label: r.label,
    bucket: r.bucket,
    prefix: r.prefix,
    queueUrl: r.queue_url,
    pollIntervalSecs: r.poll_interval_secs,
    visibilityTimeoutSecs: r.visibility_timeout_secs,
    region: r.region,
    roleArn: r.role_arn,
    externalId: r.external_id,
    accounts: JSON.parse(r.accounts) as string[],
    staleAfterSecs: r.stale_after_secs,
    enabled: r.enabled === 1,
    origin: r.origin === "config" ? "config" : "cli",
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    enabledAt: r.enabled_at,
  };
}

/** Every stored integration, by name. */
export function listIntegrations(store: Store): IntegrationRecord[] {
  return (store.db.prepare("SELECT * FROM integrations ORDER BY name")
    .all() as unknown as IntegrationRow[]).map(fromRow);
}

/** One integration, or undefined. */
export function getIntegration(store: Store, name: string): IntegrationRecord | undefined {
  const row = store.db.prepare("SELECT * FROM integrations WHERE name = ?").get(name) as
    | IntegrationRow
    | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** The integration reading `queueUrl`, if any. */
export function integrationByQueue(store: Store, queueUrl: string): IntegrationRecord | undefined {
  const row = store.db.prepare("SELECT * FROM integrations WHERE queue_url = ?").get(queueUrl) as
    | IntegrationRow
    | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/**
 * Inserts or replaces an integration and makes sure it has a health row.
 * Call inside a transaction when other writes depend on it.
 */
export function putIntegration(store: Store, rec: IntegrationRecord): void {
  store.db.prepare(
    `INSERT INTO integrations (name, label, bucket, prefix, queue_url, poll_interval_secs,
       visibility_timeout_secs, region, role_arn, external_id, accounts, stale_after_secs, enabled,
       origin, created_at, updated_at, enabled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET label = excluded.label, bucket = excluded.bucket,
       prefix = excluded.prefix, queue_url = excluded.queue_url,
       poll_interval_secs = excluded.poll_interval_secs,
       visibility_timeout_secs = excluded.visibility_timeout_secs, region = excluded.region,
       role_arn = excluded.role_arn, external_id = excluded.external_id,
       accounts = excluded.accounts, stale_after_secs = excluded.stale_after_secs,
       enabled = excluded.enabled, origin = excluded.origin, updated_at = excluded.updated_at,
       enabled_at = excluded.enabled_at`,
  ).run(
    rec.name,
    rec.label,
    rec.bucket,
    rec.prefix,
    rec.queueUrl,
    rec.pollIntervalSecs,
    rec.visibilityTimeoutSecs,
    rec.region,
    rec.roleArn,
    rec.externalId,
    JSON.stringify(rec.accounts),
    rec.staleAfterSecs,
    rec.enabled ? 1 : 0,
    rec.origin,
    rec.createdAt,
    rec.updatedAt,
    rec.enabledAt,
  );
  store.db.prepare("INSERT OR IGNORE INTO integration_health (name) VALUES (?)").run(rec.name);
}

/**
 * Deletes an integration with its health, hourly counts and polling
 * checkpoints (a new integration of the same name starts afresh; objects
 * already processed stay recorded, so nothing is counted twice).
 * @returns false when there was none
 */
export function deleteIntegration(store: Store, name: string): boolean {
  return store.transaction(() => {
    const res = store.db.prepare("DELETE FROM integrations WHERE name = ?").run(name);
    const prefix = `${name}:`;
    store.db.prepare(
      "DELETE FROM checkpoints WHERE scope = 'poll' AND substr(key, 1, ?) = ?",
    ).run(prefix.length, prefix);
    return Number(res.changes) > 0;
  });
}

/** Enables or disables an integration; enabling restarts its silence clock. */
export function setIntegrationEnabled(
  store: Store,
  name: string,
  enabled: boolean,
  now: number,
): void {
  store.db.prepare(
    `UPDATE integrations SET enabled = ?, updated_at = ?,
       enabled_at = CASE WHEN ? = 1 AND enabled = 0 THEN ? ELSE enabled_at END WHERE name = ?`,
  ).run(enabled ? 1 : 0, now, enabled ? 1 : 0, now, name);
}
