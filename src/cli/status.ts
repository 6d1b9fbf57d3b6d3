/**
 * `iota status`: what the state database holds.
 * @module
 */
import { EXIT_OK } from "../errors.ts";
import { setupConfig, setupStore } from "./_setup.ts";
import { objectTotals } from "../store/objects.ts";
import { countFiredAlerts } from "../store/alerts.ts";
import { summarizeRuleErrors } from "../store/rule_errors.ts";

/** Runs `iota status`. */
export async function runStatus(
  flags: { config?: string; state?: string; logLevel?: string; json?: boolean },
): Promise<number> {
  const cfg = await setupConfig(flags);
  const store = setupStore(cfg);
  try {
    const totals = objectTotals(store);
    const status = {
      state: store.path,
      objects: totals.objects,
      events: totals.events,
      bad_records: totals.badRecords,
      bad_objects: totals.failed,
      alerts: countFiredAlerts(store),
      rule_errors: summarizeRuleErrors(store).reduce((n, e) => n + e.count, 0),
    };
    const text = flags.json
      ? JSON.stringify(status)
      : Object.entries(status).map(([k, v]) => `${k.padEnd(12)} ${v}`).join("\n");
    Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
  } finally {
    store.close();
  }
  return EXIT_OK;
}
