/**
 * Table definitions over the lake: an Athena `CREATE EXTERNAL TABLE` with
 * partition projection on year/month/day/hour (no crawler, no
 * `MSCK REPAIR`), and DuckDB views over `read_json` with Hive partitioning
 * for a local directory or `s3://`.
 *
 * Athena partition projection: https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 * DuckDB JSON reader: https://duckdb.org/docs/data/json/loading_json
 * @module
 */
import { resolve } from "node:path";
import { athenaType, CLOUDTRAIL_COLUMNS, duckdbType } from "./_columns.ts";
import { UsageError } from "../errors.ts";

/** Tables (log-type folders under `logs/`) iota writes. */
export const LAKE_TABLES = ["aws_cloudtrail", "aws_cloudtrailinsight"] as const;

/** First year a projected `year` partition can have (CloudTrail started in 2013). */
export const FIRST_YEAR = 2013;
/** Last projected year. */
export const LAST_YEAR = 2099;

/** Options of the DDL generators. */
export interface DdlOptions {
  /** Table (folder) name, default `aws_cloudtrail`. */
  table?: string;
  /** Athena database to create the table in; default the session's. */
  database?: string;
}

function checkTable(table: string): string {
  if (!(LAKE_TABLES as readonly string[]).includes(table)) {
    throw new UsageError(`Invalid table "${table}": expected one of ${LAKE_TABLES.join(", ")}`);
  }
  return table;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Where a table's folder is: `s3://bucket/prefix/logs/TABLE` or an absolute local path. */
export function tableLocation(lake: string, table: string): string {
  const root = lake.startsWith("s3://") ? lake.replace(/\/+$/, "") : resolve(lake);
  return `${root}/logs/${table}`;
}

/**
 * The Athena `CREATE EXTERNAL TABLE` for one lake table: JSON lines read by
 * the OpenX SerDe, typed CloudTrail and p_ columns, and projected partitions.
 *
 * @param lake the lake as `s3://bucket/prefix`
 * @throws UsageError when the lake is not in S3 or the table is unknown
 */
export function athenaDdl(lake: string, options: DdlOptions = {}): string {
  if (!lake.startsWith("s3://")) {
    throw new UsageError(
      `Cannot define an Athena table over lake "${lake}": Athena reads S3, give --lake s3://bucket/prefix`,
    );
  }
  const table = checkTable(options.table ?? "aws_cloudtrail");
  const location = `${tableLocation(lake, table)}/`;
  const name = options.database ? `${options.database}.${table}` : table;
  const columns = CLOUDTRAIL_COLUMNS.map((c) =>
    `  \`${c.name.toLowerCase()}\` ${athenaType(c.type)}`
  );
  const two = (col: string, range: string) => [
    [`projection.${col}.type`, "integer"],
    [`projection.${col}.range`, range],
    [`projection.${col}.digits`, "2"],
  ];
  const props = [
    ["projection.enabled", "true"],
    ["projection.year.type", "integer"],
    ["projection.year.range", `${FIRST_YEAR},${LAST_YEAR}`],
    ...two("month", "1,12"),
    ...two("day", "1,31"),
    ...two("hour", "0,23"),
    [
      "storage.location.template",
      `${location}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
    ],
    ["classification", "json"],
  ];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (`,
    columns.join(",\n"),
    ")",
    "PARTITIONED BY (`year` STRING, `month` STRING, `day` STRING, `hour` STRING)",
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
    "WITH SERDEPROPERTIES ('case.insensitive' = 'true')",
    "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION ${sqlString(location)}`,
    "TBLPROPERTIES (",
    props.map(([k, v]) => `  ${sqlString(k)} = ${sqlString(v)}`).join(",\n"),
    ");",
  ].join("\n");
}

/**
 * The DuckDB `read_json(...)` call over one table's files, with the typed
 * columns and the Hive partition columns (year, month, day, hour).
 */
export function duckdbReadJson(lake: string, table: string): string {
  checkTable(table);
  const glob = `${tableLocation(lake, table)}/year=*/month=*/day=*/hour=*/*.json.gz`;
  const columns = CLOUDTRAIL_COLUMNS.map((c) => `"${c.name}": ${sqlString(duckdbType(c.type))}`)
    .join(", ");
  return `read_json(${sqlString(glob)}, format = 'newline_delimited', compression = 'gzip', ` +
    `hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER}, ` +
    `timestampformat = '%Y-%m-%d %H:%M:%S.%g', columns = {${columns}})`;
}

/**
 * DuckDB statements that create one view per table, named like its folder
 * (`aws_cloudtrail`). For an S3 lake they load httpfs first.
 *
 * @param tables the tables to define (default: `aws_cloudtrail`)
 */
export function duckdbDdl(lake: string, tables: readonly string[] = ["aws_cloudtrail"]): string {
  const lines: string[] = [];
  if (lake.startsWith("s3://")) {
    lines.push(
      "INSTALL httpfs;",
      "LOAD httpfs;",
      "-- Credentials from the AWS chain: CREATE SECRET (TYPE s3, PROVIDER credential_chain);",
    );
  }
  for (const t of tables) {
    lines.push(
      `CREATE OR REPLACE VIEW ${checkTable(t)} AS SELECT * FROM ${duckdbReadJson(lake, t)};`,
    );
  }
  return lines.join("\n");
}
