/**
 * `iota lake ddl` (Athena or DuckDB table definitions over the lake) and
 * `iota lake query "SQL"` (DuckDB over the local lake).
 * @module
 */
import { EXIT_OK, UsageError } from "../errors.ts";
import { setupConfig } from "./_setup.ts";
import { athenaDdl, duckdbDdl, LAKE_TABLES } from "../lake/ddl.ts";

/** Flags of `iota lake ddl`. */
export interface LakeDdlFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  lake?: string;
  engine: string;
  table?: string;
  database?: string;
}

/** Flags of `iota lake query`. */
export interface LakeQueryFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  lake?: string;
  json?: boolean;
}

const encoder = new TextEncoder();
const out = (s: string) => Deno.stdout.writeSync(encoder.encode(s + "\n"));

/** Prints the table definition for `--engine`; returns the exit code. */
export async function runLakeDdl(flags: LakeDdlFlags): Promise<number> {
  const cfg = await setupConfig(flags);
  if (cfg.lake === "none") throw new UsageError("Cannot define tables over --lake none");
  if (flags.engine === "athena") {
    out(athenaDdl(cfg.lake, { table: flags.table, database: flags.database }));
  } else if (flags.engine === "duckdb") {
    out(duckdbDdl(cfg.lake, flags.table ? [flags.table] : [...LAKE_TABLES].slice(0, 1)));
  } else {
    throw new UsageError(`Invalid --engine "${flags.engine}": expected athena or duckdb`);
  }
  return EXIT_OK;
}

/** Runs a query over the local lake; a table on stdout, or JSON lines with --json. */
export async function runLakeQuery(sql: string, flags: LakeQueryFlags): Promise<number> {
  const cfg = await setupConfig(flags);
  const { queryLake } = await import("../lake/query.ts");
  const result = await queryLake(cfg.lake, sql);
  if (flags.json) {
    for (const r of result.rows) out(JSON.stringify(r));
    return EXIT_OK;
  }
  const { printTable } = await import("./_table.ts");
  printTable(result.columns, result.rows.map((r) => result.columns.map((c) => cell(r[c]))));
  out(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
  return EXIT_OK;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return v.replaceAll("\n", " ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
