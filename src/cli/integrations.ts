/**
 * `iota integrations add | list | show | update | enable | disable | remove |
 * discover | health`: the CloudTrail sources `iota serve` reads, stored in the
 * state database, and their health. Every flag is checked before anything is
 * written, and each change is one transaction.
 * @module
 */
import { errorMessage, EXIT_FAILURES, EXIT_OK, UsageError } from "../errors.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/db.ts";
import {
  deleteIntegration,
  getIntegration,
  integrationByQueue,
  type IntegrationRecord,
  listIntegrations,
  putIntegration,
  setIntegrationEnabled,
} from "../store/integrations.ts";
import {
  applyFlags,
  checkBucket,
  checkName,
  type IntegrationFlags,
  integrationFromFlags,
} from "../integrations/spec.ts";
import { healthView, healthViews } from "../integrations/status.ts";
import { log } from "../log.ts";
import { setupConfig, setupStore } from "./_setup.ts";
import {
  printChecks,
  printDiscovery,
  printHealth,
  printIntegration,
  printIntegrations,
  writeLine,
} from "./_integrations_output.ts";

/** Flags every subcommand takes. */
export interface IntegrationsCommonFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  json?: boolean;
}

/** Flags of `add` and `update`. */
export type IntegrationsChangeFlags = IntegrationsCommonFlags & IntegrationFlags & {
  check?: boolean;
};

/** Runs `fn` with the config and the open store, closing it afterwards. */
async function withStore<T>(
  flags: IntegrationsCommonFlags,
  fn: (store: Store, cfg: Config) => Promise<T> | T,
): Promise<T> {
  const cfg = await setupConfig(flags);
  const store = setupStore(cfg);
  try {
    return await fn(store, cfg);
  } finally {
    store.close();
  }
}

/** The stored integration `name`. @throws UsageError when there is none */
function mustGet(store: Store, name: string, verb: string): IntegrationRecord {
  const rec = getIntegration(store, name);
  if (rec === undefined) {
    throw new UsageError(`Cannot ${verb} integration "${name}": no such integration`);
  }
  return rec;
}

function refuseConfigOrigin(rec: IntegrationRecord, verb: string): void {
  if (rec.origin === "config") {
    throw new UsageError(
      `Cannot ${verb} integration "${rec.name}": it comes from the config file, which wins at every start of iota serve; change it there`,
    );
  }
}

/** Refuses a queue another integration already reads (both loops would delete its messages). */
function refuseSharedQueue(store: Store, rec: IntegrationRecord, verb: string): void {
  if (rec.queueUrl === null) return;
  const other = integrationByQueue(store, rec.queueUrl);
  if (other !== undefined && other.name !== rec.name) {
    throw new UsageError(
      `Cannot ${verb} integration "${rec.name}": queue "${rec.queueUrl}" is already read by integration "${other.name}"`,
    );
  }
}

/** Runs the access checks; throws the failure line so nothing is written. */
async function checkOrThrow(rec: IntegrationRecord, cfg: Config, verb: string): Promise<void> {
  const { checkAccess, checkFailureLine } = await import("../integrations/check.ts");
  const checks = await checkAccess(rec, cfg.aws);
  printChecks(checks);
  const failure = checkFailureLine(checks);
  if (failure !== null) {
    throw new Error(`Cannot ${verb} integration "${rec.name}": ${failure}`);
  }
}

/** `iota integrations add NAME`. */
export async function runIntegrationsAdd(
  name: string,
  flags: IntegrationsChangeFlags,
): Promise<number> {
  const rec = integrationFromFlags(name, flags, Date.now());
  return await withStore(flags, async (store, cfg) => {
    if (getIntegration(store, name) !== undefined) {
      throw new UsageError(`Cannot add integration "${name}": an integration of that name exists`);
    }
    refuseSharedQueue(store, rec, "add");
    if (flags.check) await checkOrThrow(rec, cfg, "add");
    store.transaction(() => {
      // Checked again inside the transaction: another process may have added it meanwhile.
      if (getIntegration(store, name) !== undefined) {
        throw new UsageError(
          `Cannot add integration "${name}": an integration of that name exists`,
        );
      }
      putIntegration(store, rec);
    });
    writeLine(`Added integration "${name}": ${describeSource(rec)}`);
    return EXIT_OK;
  });
}

/** `iota integrations update NAME`. */
export async function runIntegrationsUpdate(
  name: string,
  flags: IntegrationsChangeFlags,
): Promise<number> {
  checkName(name);
  const changes: (keyof IntegrationFlags)[] = [
    "bucket",
    "prefix",
    "queueUrl",
    "poll",
    "pollInterval",
    "region",
    "roleArn",
    "externalId",
    "accounts",
    "staleAfter",
    "label",
  ];
  if (!changes.some((k) => flags[k] !== undefined)) {
    throw new UsageError(`Cannot update integration "${name}": no change given (see --help)`);
  }
  return await withStore(flags, async (store, cfg) => {
    const old = mustGet(store, name, "update");
    refuseConfigOrigin(old, "update");
    const rec = applyFlags(old, flags, Date.now());
    refuseSharedQueue(store, rec, "update");
    if (flags.check) await checkOrThrow(rec, cfg, "update");
    store.transaction(() => putIntegration(store, rec));
    writeLine(`Updated integration "${name}": ${describeSource(rec)}`);
    return EXIT_OK;
  });
}

/** `iota integrations enable|disable NAME`. */
export async function runIntegrationsSetEnabled(
  name: string,
  enabled: boolean,
  flags: IntegrationsCommonFlags,
): Promise<number> {
  const verb = enabled ? "enable" : "disable";
  return await withStore(flags, (store) => {
    const rec = mustGet(store, name, verb);
    refuseConfigOrigin(rec, verb);
    if (rec.enabled === enabled) {
      writeLine(`Integration "${name}" is already ${verb}d`);
      return EXIT_OK;
    }
    store.transaction(() => setIntegrationEnabled(store, name, enabled, Date.now()));
    writeLine(`${enabled ? "Enabled" : "Disabled"} integration "${name}"`);
    return EXIT_OK;
  });
}

/** `iota integrations remove NAME`: asks on a terminal, needs --yes otherwise. */
export async function runIntegrationsRemove(
  name: string,
  flags: IntegrationsCommonFlags & { yes?: boolean },
): Promise<number> {
  return await withStore(flags, (store) => {
    const rec = mustGet(store, name, "remove");
    if (flags.yes !== true) {
      if (!Deno.stdin.isTerminal()) {
        throw new UsageError(
          `Cannot remove integration "${name}": stdin is not a terminal, confirm with --yes`,
        );
      }
      const answer = prompt(`Remove integration "${name}" and its health history? [y/N]`);
      if (answer === null || !/^y(es)?$/i.test(answer.trim())) {
        writeLine(`Integration "${name}" was not removed`);
        return EXIT_FAILURES;
      }
    }
    deleteIntegration(store, name);
    writeLine(`Removed integration "${name}"`);
    if (rec.origin === "config") {
      log.warn(
        `Integration "${name}" came from the config file: iota serve adds it again unless it is removed there`,
      );
    }
    return EXIT_OK;
  });
}

/** `iota integrations list`. */
export async function runIntegrationsList(flags: IntegrationsCommonFlags): Promise<number> {
  return await withStore(flags, (store, cfg) => {
    const now = Date.now();
    const options = { failingAfter: cfg.serve.healthFailingAfter };
    const rows = listIntegrations(store).map((rec) => ({
      rec,
      view: healthView(store, rec, now, options),
    }));
    printIntegrations(rows, flags.json === true);
    return EXIT_OK;
  });
}

/** `iota integrations show NAME`. */
export async function runIntegrationsShow(
  name: string,
  flags: IntegrationsCommonFlags,
): Promise<number> {
  return await withStore(flags, (store, cfg) => {
    const rec = mustGet(store, name, "show");
    const view = healthView(store, rec, Date.now(), {
      failingAfter: cfg.serve.healthFailingAfter,
    });
    printIntegration(rec, view, flags.json === true);
    return EXIT_OK;
  });
}

/** `iota integrations health`: exit 1 when any enabled integration is not healthy. */
export async function runIntegrationsHealth(flags: IntegrationsCommonFlags): Promise<number> {
  return await withStore(flags, (store, cfg) => {
    const views = healthViews(store, Date.now(), { failingAfter: cfg.serve.healthFailingAfter });
    const healthy = views.every((v) => v.status === "healthy" || v.status === "disabled");
    printHealth(views, healthy, flags.json === true);
    return healthy ? EXIT_OK : EXIT_FAILURES;
  });
}

/** `iota integrations discover --bucket B [--prefix P]`. */
export async function runIntegrationsDiscover(
  flags: IntegrationsCommonFlags & { bucket?: string; prefix?: string; region?: string },
): Promise<number> {
  if (flags.bucket === undefined) {
    throw new UsageError(`"iota integrations discover" needs --bucket BUCKET`);
  }
  const bucket = checkBucket(flags.bucket);
  const cfg = await setupConfig(flags);
  const { createS3Client } = await import("../sources/s3.ts");
  const { discoverTrails } = await import("../integrations/discover.ts");
  const s3 = await createS3Client({
    region: flags.region ?? cfg.aws.region,
    endpoint: cfg.aws.endpoint,
  });
  const prefix = flags.prefix ?? "";
  try {
    const found = await discoverTrails(s3, { bucket, prefix }).catch((err) => {
      if (err instanceof UsageError) throw err;
      throw new Error(`Cannot list "s3://${bucket}/${prefix}": ${errorMessage(err)}`);
    });
    printDiscovery(found, flags.json === true);
    return found.trails.length > 0 ? EXIT_OK : EXIT_FAILURES;
  } finally {
    s3.destroy();
  }
}

/** One phrase for where an integration reads from. */
export function describeSource(rec: IntegrationRecord): string {
  const where = `s3://${rec.bucket}/${rec.prefix}`;
  return rec.queueUrl !== null
    ? `${where} via ${rec.queueUrl}`
    : `${where} polled every ${rec.pollIntervalSecs}s`;
}
