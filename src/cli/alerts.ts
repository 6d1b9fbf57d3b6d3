/**
 * `iota alerts list | show ID | retry ID|--failed`.
 * @module
 */
import { EXIT_FAILURES, EXIT_OK, UsageError } from "../errors.ts";
import { setupConfig, setupStore } from "./_setup.ts";
import {
  type AlertDeliveryStatus,
  type AlertFilter,
  type AlertRow,
  getAlert,
  listAlerts,
} from "../store/alerts.ts";
import { deliveriesOf, type OutboxRow, retryDeliveries } from "../store/outbox.ts";
import { alertJson } from "../alerts/payload.ts";
import { formatEventTime } from "../alerts/format.ts";
import { SEVERITIES, type Severity } from "../rules/types.ts";

interface Flags {
  config?: string;
  state?: string;
  logLevel?: string;
  json?: boolean;
}

/** Flags of `iota alerts list`. */
export interface AlertsListFlags extends Flags {
  rule?: string;
  severity?: string;
  since?: string;
  status?: string;
  limit?: number;
  unfired?: boolean;
}

const encoder = new TextEncoder();
function out(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

const UNITS_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * `--since`: a duration back from `now` (`30m`, `24h`, `7d`, `2w`) or an ISO
 * date or time (`2026-11-20`, `2026-11-20T10:00:00Z`), as epoch ms.
 * @throws UsageError on anything else.
 */
export function parseSince(value: string, now = Date.now()): number {
  const m = value.trim().match(/^(\d+)\s*([mhdw])$/);
  if (m) return now - Number(m[1]) * UNITS_MS[m[2]];
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const t = Date.parse(value.trim());
    if (Number.isFinite(t)) return t;
  }
  throw new UsageError(
    `Invalid --since "${value}": expected a duration such as 30m, 24h or 7d, or an ISO date`,
  );
}

/** `--severity`: one or more severities, comma-separated, any case. */
export function parseSeverities(value: string): Severity[] {
  return value.split(",").map((part) => {
    const found = SEVERITIES.find((s) => s.toLowerCase() === part.trim().toLowerCase());
    if (found === undefined) {
      throw new UsageError(
        `Invalid --severity "${value}": expected one or more of ${SEVERITIES.join(", ")}`,
      );
    }
    return found;
  });
}

function parseStatus(value: string): AlertDeliveryStatus {
  const statuses = ["pending", "delivered", "failed"] as const;
  const found = statuses.find((s) => s === value.toLowerCase());
  if (found === undefined) {
    throw new UsageError(`Invalid --status "${value}": expected one of ${statuses.join(", ")}`);
  }
  return found;
}

/** `iota alerts list`. */
export async function runAlertsList(flags: AlertsListFlags): Promise<number> {
  const filter: AlertFilter = {
    ruleId: flags.rule,
    severities: flags.severity === undefined ? undefined : parseSeverities(flags.severity),
    since: flags.since === undefined ? undefined : parseSince(flags.since),
    status: flags.status === undefined ? undefined : parseStatus(flags.status),
    unfired: flags.unfired === true,
    limit: flags.limit,
  };
  if (filter.unfired && filter.status !== undefined) {
    throw new UsageError(
      "Invalid --status with --unfired: windows that have not fired have no deliveries",
    );
  }
  const store = setupStore(await setupConfig(flags));
  try {
    const rows = listAlerts(store, filter);
    if (flags.json) {
      for (const a of rows) {
        out(JSON.stringify({
          ...alertJson(a),
          status: filter.unfired ? "unfired" : a.deliveryStatus,
        }));
      }
      return EXIT_OK;
    }
    if (rows.length === 0) {
      out(filter.unfired ? "no windows below threshold" : "no alerts");
      return EXIT_OK;
    }
    const table = rows.map((a) => [
      a.id,
      formatEventTime(a.firstEventTime),
      a.severity,
      String(a.matchCount),
      filter.unfired ? "unfired" : a.deliveryStatus,
      a.ruleId,
      a.title,
    ]);
    printTable(["ID", "FIRST EVENT", "SEVERITY", "COUNT", "STATUS", "RULE", "TITLE"], table);
  } finally {
    store.close();
  }
  return EXIT_OK;
}

/**
 * Prints aligned columns. On a terminal the last column is cut to the width
 * of the window; piped output keeps it whole for grep.
 */
function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  let lastWidth = Infinity;
  if (Deno.stdout.isTerminal()) {
    const used = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
    lastWidth = Math.max(20, Deno.consoleSize().columns - used);
  }
  for (const r of all) {
    const last = r[r.length - 1];
    const cells = r.slice(0, -1).map((c, i) => c.padEnd(widths[i]));
    cells.push(last.length > lastWidth ? last.slice(0, lastWidth - 1) + "…" : last);
    out(cells.join("  ").trimEnd());
  }
}

function requireAlert(store: ReturnType<typeof setupStore>, id: string, verb: string): AlertRow {
  const a = getAlert(store, id);
  if (a === null) throw new UsageError(`Cannot ${verb} alert "${id}": no such alert`);
  return a;
}

/** `iota alerts show ID`. */
export async function runAlertsShow(id: string, flags: Flags): Promise<number> {
  const store = setupStore(await setupConfig(flags));
  try {
    const a = requireAlert(store, id, "show");
    const deliveries = deliveriesOf(store, id);
    if (flags.json) {
      out(JSON.stringify({
        ...alertJson(a),
        fired: a.fired,
        updated_at: new Date(a.updatedAt).toISOString(),
        sample_events: a.sampleEvents.map((e) => JSON.parse(e)),
        deliveries: deliveries.map(deliveryJson),
      }));
    } else {
      showText(a, deliveries);
    }
  } finally {
    store.close();
  }
  return EXIT_OK;
}

function deliveryJson(d: OutboxRow): Record<string, unknown> {
  return {
    output: d.output,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === "pending" ? new Date(d.nextAttemptAt).toISOString() : null,
    delivered_at: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
    last_error: d.lastError,
  };
}

function showText(a: AlertRow, deliveries: OutboxRow[]): void {
  const field = (name: string, value: string | null) => {
    if (value === null || value === "") return;
    // Continuation lines line up under the first one.
    out(`${(name + ":").padEnd(14)}${value.replaceAll("\n", "\n" + " ".repeat(14))}`);
  };
  out(`[${a.severity.toUpperCase()}] ${a.title}`);
  field("alert", a.id);
  field("state", a.fired ? "fired" : "not fired (below Threshold or CreateAlert: false)");
  field("rule", a.ruleId);
  field("dedup", a.dedup);
  field("events", String(a.matchCount));
  field("first event", formatEventTime(a.firstEventTime));
  field("last event", formatEventTime(a.lastEventTime));
  if (a.fired) field("created", formatEventTime(a.createdAt));
  field("updated", formatEventTime(a.updatedAt));
  field("description", a.description);
  field("reference", a.reference);
  field("runbook", a.runbook);
  field("destinations", a.destinations?.join(", ") ?? null);
  if (a.context !== null) field("context", JSON.stringify(a.context, null, 2));
  if (deliveries.length > 0) {
    out("");
    printTable(
      ["OUTPUT", "STATUS", "ATTEMPTS", "LAST ERROR"],
      deliveries.map((d) => [d.output, d.status, String(d.attempts), d.lastError ?? ""]),
    );
  }
  out("");
  out(`Sample events (${a.sampleEvents.length} of ${a.matchCount}):`);
  for (const e of a.sampleEvents) out(JSON.stringify(JSON.parse(e), null, 2));
}

/** `iota alerts retry ID|--failed`: failed deliveries become pending and are tried now. */
export async function runAlertsRetry(
  id: string | undefined,
  flags: Flags & { failed?: boolean },
): Promise<number> {
  if ((id === undefined) === (flags.failed !== true)) {
    throw new UsageError("Invalid arguments of alerts retry: give an alert id or --failed");
  }
  const cfg = await setupConfig(flags);
  const store = setupStore(cfg);
  try {
    if (id !== undefined) {
      const a = requireAlert(store, id, "retry");
      if (!a.fired) throw new UsageError(`Cannot retry alert "${id}": it has not fired`);
    }
    // Outputs are built before anything changes, so a config error leaves the outbox as it was.
    const { outputsFromConfig, closeOutputs } = await import("../alerts/outputs/registry.ts");
    const outputs = outputsFromConfig(cfg);
    try {
      const reset = store.transaction(() => retryDeliveries(store, { alertId: id }));
      if (reset === 0) {
        out(id === undefined ? "No failed deliveries" : `Alert "${id}" has no failed deliveries`);
        return EXIT_OK;
      }
      const { deliverDue } = await import("../alerts/forwarder.ts");
      const report = await deliverDue(store, outputs, { policy: cfg.delivery, alertId: id });
      // Everything due goes out in this pass, not only the rows just reset.
      out(
        `Reset ${reset} failed deliver${
          reset === 1 ? "y" : "ies"
        }; delivered ${report.delivered}, ${report.retrying} will retry, ${report.failed} failed`,
      );
      return report.retrying === 0 && report.failed === 0 ? EXIT_OK : EXIT_FAILURES;
    } finally {
      await closeOutputs(outputs);
    }
  } finally {
    store.close();
  }
}
