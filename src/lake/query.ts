/**
 * SQL over the local lake with DuckDB, the embedded engine for
 * investigations: every log-type folder under `LAKE/logs/` becomes a view of
 * the same name (`aws_cloudtrail`). `@duckdb/node-api` (native bindings, needs
 * `--allow-ffi`) is imported only here, and this module only by
 * `iota lake query`.
 * @module
 */
import { duckdbDdl, LAKE_TABLES, tableLocation } from "./ddl.ts";
import { UsageError } from "../errors.ts";

/** A query's result with plain JSON-ready values. */
export interface QueryResult {
  columns: string[];
  /** Column types as DuckDB names them (`BIGINT`, `VARCHAR`…). */
  types: string[];
  rows: Record<string, unknown>[];
}

/** Tables with a folder in the local lake. */
export async function lakeTables(lake: string): Promise<string[]> {
  const found: string[] = [];
  for (const t of LAKE_TABLES) {
    try {
      if ((await Deno.stat(tableLocation(lake, t))).isDirectory) found.push(t);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return found;
}

/**
 * Runs `sql` over the lake at `lake` (a local directory).
 * @throws UsageError when the lake is in S3, has no tables, or DuckDB rejects the query
 */
export async function queryLake(lake: string, sql: string): Promise<QueryResult> {
  if (lake.startsWith("s3://") || lake === "none") {
    throw new UsageError(
      `Cannot query lake "${lake}": iota lake query reads a local lake; for S3 run the statements of "iota lake ddl --engine duckdb" in DuckDB`,
    );
  }
  const tables = await lakeTables(lake);
  if (tables.length === 0) {
    throw new UsageError(`Cannot query lake "${lake}": no tables under its logs/ folder yet`);
  }
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    try {
      await conn.run(duckdbDdl(lake, tables));
    } catch (err) {
      throw new UsageError(`Cannot read lake "${lake}": ${firstLine(err)}`);
    }
    let reader;
    try {
      reader = await conn.runAndReadAll(sql);
    } catch (err) {
      throw new UsageError(`Cannot run query: ${firstLine(err)}`);
    }
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map(String),
      rows: reader.getRowObjectsJS().map((r) => plain(r) as Record<string, unknown>),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

/** JSON-ready value: safe BIGINTs as numbers (else strings), timestamps as ISO text. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}
