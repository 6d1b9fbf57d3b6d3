/**
 * What `iota integrations` prints: tables on a terminal or in a pipe, JSON
 * with `--json` (one object per line for lists).
 * @module
 */
import type { IntegrationRecord } from "../store/integrations.ts";
import { formatDuration, type HealthView } from "../integrations/status.ts";
import type { AccessCheck } from "../integrations/check.ts";
import type { Discovery } from "../integrations/discover.ts";
import { printTable } from "./_table.ts";

const encoder = new TextEncoder();

/** Writes one line to stdout. */
export function writeLine(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** The stored fields of an integration as JSON (snake_case, as in the config file). */
function integrationJson(rec: IntegrationRecord): Record<string, unknown> {
  return {
    name: rec.name,
    label: rec.label,
    bucket: rec.bucket,
    prefix: rec.prefix,
    mode: rec.queueUrl !== null ? "sqs" : "poll",
    queue_url: rec.queueUrl,
    poll_interval_secs: rec.queueUrl === null ? rec.pollIntervalSecs : null,
    region: rec.region,
    role_arn: rec.roleArn,
    accounts: rec.accounts,
    stale_after_secs: rec.staleAfterSecs,
    enabled: rec.enabled,
    origin: rec.origin,
    created_at: new Date(rec.createdAt).toISOString(),
    updated_at: new Date(rec.updatedAt).toISOString(),
  };
}

/** The health fields as JSON. */
function healthJson(v: HealthView): Record<string, unknown> {
  return {
    name: v.name,
    label: v.label,
    status: v.status,
    reason: v.reason,
    last_object: v.lastObjectKey,
    last_object_at: v.lastObjectAt,
    last_event_time: v.lastEventTime,
    lag_secs: v.lagSecs,
    stale_after_secs: v.staleAfterSecs,
    last_error: v.lastError,
    last_error_at: v.lastErrorAt,
    failures_in_a_row: v.objectFailures,
    last_hour: counts(v.lastHour),
    last_24h: counts(v.last24h),
    accounts: v.accounts,
    regions: v.regions,
  };
}

function counts(c: HealthView["lastHour"]): Record<string, number> {
  return {
    objects: c.objects,
    events: c.events,
    bad_records: c.badRecords,
    rule_errors: c.ruleErrors,
    errors: c.errors,
  };
}

/** `list`: one row per integration. */
export function printIntegrations(
  rows: { rec: IntegrationRecord; view: HealthView }[],
  json: boolean,
): void {
  if (json) {
    for (const r of rows) {
      writeLine(JSON.stringify({ ...integrationJson(r.rec), status: r.view.status }));
    }
    return;
  }
  if (rows.length === 0) {
    writeLine("No integrations (add one with: iota integrations add NAME --bucket B --poll)");
    return;
  }
  printTable(
    ["NAME", "STATUS", "MODE", "SOURCE", "ACCOUNTS", "ORIGIN"],
    rows.map(({ rec, view }) => [
      rec.name,
      view.status,
      rec.queueUrl !== null ? "sqs" : `poll ${formatDuration(rec.pollIntervalSecs)}`,
      `s3://${rec.bucket}/${rec.prefix}`,
      rec.accounts.length === 0 ? "all" : rec.accounts.join(","),
      rec.origin,
    ]),
  );
}

/** `show`: every field and the health. */
export function printIntegration(rec: IntegrationRecord, view: HealthView, json: boolean): void {
  if (json) {
    writeLine(JSON.stringify({ ...integrationJson(rec), health: healthJson(view) }));
    return;
  }
  const h = healthJson(view);
  const lines: [string, unknown][] = [
    ...Object.entries(integrationJson(rec)),
    ["status", `${view.status} (${view.reason})`],
    ["last_object", h.last_object],
    ["last_object_at", h.last_object_at],
    ["last_event_time", h.last_event_time],
    ["lag", view.lagSecs === null ? null : formatDuration(view.lagSecs)],
    ["last_error", h.last_error],
    ["last_hour", h.last_hour],
    ["last_24h", h.last_24h],
    ["accounts_seen", view.accounts],
    ["regions_seen", view.regions],
  ];
  for (const [k, v] of lines) {
    const text = v === null
      ? "-"
      : typeof v === "object" || v === ""
      ? JSON.stringify(v)
      : String(v);
    writeLine(`${k.padEnd(18)} ${text}`);
  }
}

/** `health`: the table (or one JSON object) of every integration. */
export function printHealth(views: HealthView[], healthy: boolean, json: boolean): void {
  if (json) {
    writeLine(JSON.stringify({ healthy, integrations: views.map(healthJson) }));
    return;
  }
  if (views.length === 0) {
    writeLine("No integrations");
    return;
  }
  printTable(
    ["NAME", "STATUS", "LAST OBJECT", "LAG", "OBJECTS 1H", "EVENTS 1H", "ERRORS 24H", "REASON"],
    views.map((v) => [
      v.name,
      v.status,
      v.lastObjectAt ?? "never",
      v.lagSecs === null ? "-" : formatDuration(v.lagSecs),
      String(v.lastHour.objects),
      String(v.lastHour.events),
      String(v.last24h.errors + v.last24h.badRecords),
      v.reason,
    ]),
  );
}

/** `add|update --check`: one line per check. */
export function printChecks(checks: readonly AccessCheck[]): void {
  for (const c of checks) {
    writeLine(`${c.result.padEnd(7)} ${c.permission}: ${c.detail}`);
  }
}

/** `discover`: one row per account and region. */
export function printDiscovery(d: Discovery, json: boolean): void {
  if (json) {
    writeLine(JSON.stringify(d));
    return;
  }
  if (d.trails.length === 0) {
    writeLine(`No CloudTrail folders under s3://${d.bucket}/${d.root}`);
    return;
  }
  printTable(
    ["ORG", "ACCOUNT", "REGION", "NEWEST DAY", "NEWEST FILE", "PREFIX"],
    d.trails.map((t) => [
      t.org ?? "-",
      t.account,
      t.region,
      t.newestDay ?? "-",
      t.newestObject ?? "-",
      t.prefix,
    ]),
  );
  writeLine(
    `${d.orgs.length} organizations, ${d.accounts.length} accounts, ${d.regions.length} regions under s3://${d.bucket}/${d.root}`,
  );
}
