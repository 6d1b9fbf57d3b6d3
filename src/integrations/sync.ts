/**
 * Syncs the config file's `integrations` into the state database when
 * `iota serve` starts: the file wins. A stored integration that differs is
 * overwritten and the differing fields are reported; one that came from the
 * file and is no longer in it is disabled (its health history is kept).
 * @module
 */
import type { IntegrationConfig } from "../serve/config.ts";
import type { Store } from "../store/db.ts";
import {
  getIntegration,
  integrationByQueue,
  type IntegrationRecord,
  listIntegrations,
  putIntegration,
} from "../store/integrations.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_STALE_AFTER_SECS } from "./status.ts";
import { differingFields } from "./spec.ts";

/** What a sync did, as warnings for the log. */
export interface SyncReport {
  added: string[];
  updated: string[];
  disabled: string[];
  /** One line per integration whose stored fields differed from the file. */
  warnings: string[];
}

/**
 * Writes every config integration to the store (one transaction).
 * @throws UsageError when a config integration's queue is stored under another name
 */
export function syncConfigIntegrations(
  store: Store,
  integrations: readonly IntegrationConfig[],
  file: string,
  now: number,
): SyncReport {
  const report: SyncReport = { added: [], updated: [], disabled: [], warnings: [] };
  store.transaction(() => {
    for (const c of integrations) {
      const old = getIntegration(store, c.name);
      if (c.queueUrl !== null) {
        const other = integrationByQueue(store, c.queueUrl);
        if (other !== undefined && other.name !== c.name) {
          throw new UsageError(
            `Invalid config "${file}": integration "${c.name}" reads queue "${c.queueUrl}", which integration "${other.name}" in the state database reads too (remove one: iota integrations remove ${other.name})`,
          );
        }
      }
      const rec: IntegrationRecord = {
        ...c,
        accounts: [...c.accounts].sort(),
        staleAfterSecs: c.staleAfterSecs ?? DEFAULT_STALE_AFTER_SECS,
        origin: "config",
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
        enabledAt: old === undefined || (c.enabled && !old.enabled) ? now : old.enabledAt,
      };
      if (old === undefined) {
        report.added.push(c.name);
        putIntegration(store, rec);
        continue;
      }
      const fields = differingFields(old, rec);
      if (old.origin !== "config") fields.push("origin");
      if (fields.length === 0) continue;
      report.updated.push(c.name);
      report.warnings.push(
        `Integration "${c.name}" in the state database differs from config "${file}" in ${
          fields.join(", ")
        }: using the config file`,
      );
      putIntegration(store, { ...rec, updatedAt: now });
    }
    const inFile = new Set(integrations.map((c) => c.name));
    for (const old of listIntegrations(store)) {
      if (old.origin !== "config" || inFile.has(old.name) || !old.enabled) continue;
      putIntegration(store, { ...old, enabled: false, updatedAt: now });
      report.disabled.push(old.name);
      report.warnings.push(
        `Integration "${old.name}" came from the config file and is no longer in "${file}": disabled`,
      );
    }
  });
  return report;
}
