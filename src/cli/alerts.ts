/**
 * `iota alerts list | show`.
 * @module
 */
import { EXIT_OK, UsageError } from "../errors.ts";
import { setupConfig, setupStore } from "./_setup.ts";
import { getAlert, listAlerts } from "../store/alerts.ts";
import { deliveriesOf } from "../store/outbox.ts";
import { alertJson } from "../alerts/outputs/stdout.ts";
import { formatEventTime } from "../alerts/format.ts";

interface Flags {
  config?: string;
  state?: string;
  logLevel?: string;
  json?: boolean;
}

const encoder = new TextEncoder();
function out(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** `iota alerts list`. */
export async function runAlertsList(
  flags: Flags & { rule?: string; limit?: number },
): Promise<number> {
  const store = setupStore(await setupConfig(flags));
  try {
    const rows = listAlerts(store, { ruleId: flags.rule, limit: flags.limit });
    for (const a of rows) {
      if (flags.json) out(JSON.stringify(alertJson(a)));
      else {
        out(
          `${a.id}  ${formatEventTime(a.firstEventTime)}  ${a.severity.padEnd(8)} x${
            String(a.matchCount).padEnd(4)
          } ${a.ruleId}  ${a.title}`,
        );
      }
    }
    if (!flags.json && rows.length === 0) out("no alerts");
  } finally {
    store.close();
  }
  return EXIT_OK;
}

/** `iota alerts show ID`. */
export async function runAlertsShow(id: string, flags: Flags): Promise<number> {
  const store = setupStore(await setupConfig(flags));
  try {
    const a = getAlert(store, id);
    if (a === null || !a.fired) throw new UsageError(`Cannot show alert "${id}": no such alert`);
    const full = {
      ...alertJson(a),
      sample_events: a.sampleEvents.map((e) => JSON.parse(e)),
      deliveries: deliveriesOf(store, id).map((d) => ({
        output: d.output,
        status: d.status,
        attempts: d.attempts,
        last_error: d.lastError,
      })),
    };
    out(JSON.stringify(full, null, flags.json ? undefined : 2));
  } finally {
    store.close();
  }
  return EXIT_OK;
}
