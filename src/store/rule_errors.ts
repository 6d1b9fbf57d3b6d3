/**
 * The `rule_errors` table: a rule that raised, returned a non-bool, hung or
 * failed to load. One row per (rule, event, error type), so a retried object
 * never counts an error twice.
 * @module
 */
import type { Store } from "./db.ts";
import type { RuleErrorRecord } from "../rules/types.ts";

/** Stores rule errors; returns how many were new. Call inside the object's transaction. */
export function recordRuleErrors(
  store: Store,
  errors: readonly RuleErrorRecord[],
  objectUri: string | null,
  now = Date.now(),
): number {
  if (errors.length === 0) return 0;
  const insert = store.db.prepare(
    `INSERT OR IGNORE INTO rule_errors (rule_id, row_id, object_uri, error_type, message, traceback, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  let added = 0;
  for (const e of errors) {
    const res = insert.run(
      e.ruleId,
      e.rowId,
      objectUri,
      e.type,
      e.message.slice(0, 2000),
      e.traceback,
      now,
    );
    added += Number(res.changes);
  }
  return added;
}

/** Rule errors grouped by rule and error type. */
export interface RuleErrorSummary {
  ruleId: string;
  type: string;
  count: number;
  /** The most recent message and traceback line of this group. */
  message: string;
  traceback: string | null;
  lastRowId: string | null;
  lastSeen: number;
}

/** Lists rule errors grouped by (rule, type), most frequent first. */
export function summarizeRuleErrors(
  store: Store,
  options: { sinceMs?: number; ruleId?: string } = {},
): RuleErrorSummary[] {
  const rows = store.db.prepare(
    `SELECT rule_id, error_type, count(*) AS n, max(id) AS last_id, max(created_at) AS last_seen
     FROM rule_errors WHERE created_at >= ? AND (? IS NULL OR rule_id = ?)
     GROUP BY rule_id, error_type ORDER BY n DESC, rule_id`,
  ).all(options.sinceMs ?? 0, options.ruleId ?? null, options.ruleId ?? null) as {
    rule_id: string;
    error_type: string;
    n: number;
    last_id: number;
    last_seen: number;
  }[];
  const detail = store.db.prepare(
    "SELECT message, traceback, row_id FROM rule_errors WHERE id = ?",
  );
  return rows.map((r) => {
    const d = detail.get(r.last_id) as {
      message: string;
      traceback: string | null;
      row_id: string | null;
    };
    return {
      ruleId: r.rule_id,
      type: r.error_type,
      count: r.n,
      message: d.message,
      traceback: d.traceback,
      lastRowId: d.row_id,
      lastSeen: r.last_seen,
    };
  });
}
