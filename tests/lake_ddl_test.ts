/**
 * `iota lake ddl`: the Athena table's partition projection and columns, and
 * the DuckDB views run over a lake written by iota.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { athenaDdl, duckdbDdl } from "../src/lake/ddl.ts";
import { UsageError } from "../src/errors.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { lakeFromCorpus } from "./_helpers/lake.ts";

/** TBLPROPERTIES of a CREATE TABLE as a map. */
function tableProperties(ddl: string): Map<string, string> {
  const body = ddl.slice(ddl.indexOf("TBLPROPERTIES ("));
  return new Map([...body.matchAll(/'([^']+)' = '([^']*)'/g)].map((m) => [m[1], m[2]]));
}

/** Column name → type from the column list of a CREATE TABLE. */
function columns(ddl: string): Map<string, string> {
  const list = ddl.slice(ddl.indexOf("(\n") + 2, ddl.indexOf("\n)\n"));
  return new Map(
    list.split(",\n").map((line) => {
      const m = line.trim().match(/^`([^`]+)` (.+)$/);
      assert.ok(m, `not a column: ${line}`);
      return [m[1], m[2]];
    }),
  );
}

Deno.test("athenaDdl() projects year/month/day/hour partitions onto the lake's Hive layout", () => {
  const ddl = athenaDdl("s3://sec-lake/iota/", { database: "security" });
  assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS security\.aws_cloudtrail \(/);
  assert.match(
    ddl,
    /\nPARTITIONED BY \(`year` STRING, `month` STRING, `day` STRING, `hour` STRING\)\n/,
  );
  assert.match(ddl, /\nROW FORMAT SERDE 'org\.openx\.data\.jsonserde\.JsonSerDe'\n/);
  assert.match(ddl, /\nLOCATION 's3:\/\/sec-lake\/iota\/logs\/aws_cloudtrail\/'\n/);
  assert.deepEqual(
    Object.fromEntries(tableProperties(ddl)),
    {
      "projection.enabled": "true",
      "projection.year.type": "integer",
      "projection.year.range": "2013,2099",
      "projection.month.type": "integer",
      "projection.month.range": "1,12",
      "projection.month.digits": "2",
      "projection.day.type": "integer",
      "projection.day.range": "1,31",
      "projection.day.digits": "2",
      "projection.hour.type": "integer",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
      "storage.location.template":
        "s3://sec-lake/iota/logs/aws_cloudtrail/year=${year}/month=${month}/day=${day}/hour=${hour}/",
      "classification": "json",
    },
  );
});

Deno.test("athenaDdl() types the CloudTrail and p_ columns", () => {
  const cols = columns(athenaDdl("s3://sec-lake"));
  assert.deepEqual([...cols.keys()], [
    "eventversion",
    "useridentity",
    "eventtime",
    "eventsource",
    "eventname",
    "awsregion",
    "sourceipaddress",
    "useragent",
    "errorcode",
    "errormessage",
    "requestparameters",
    "responseelements",
    "additionaleventdata",
    "requestid",
    "eventid",
    "readonly",
    "resources",
    "eventtype",
    "apiversion",
    "managementevent",
    "recipientaccountid",
    "sharedeventid",
    "vpcendpointid",
    "vpcendpointaccountid",
    "eventcategory",
    "serviceeventdetails",
    "tlsdetails",
    "sessioncredentialfromconsole",
    "edgedevicedetails",
    "insightdetails",
    "p_log_type",
    "p_event_time",
    "p_parse_time",
    "p_row_id",
    "p_source_id",
    "p_source_label",
    "p_source_file",
    "p_any_ip_addresses",
    "p_any_aws_account_ids",
    "p_any_aws_arns",
    "p_any_aws_instance_ids",
    "p_any_domain_names",
    "p_any_usernames",
  ]);
  assert.equal(cols.get("eventname"), "STRING");
  assert.equal(cols.get("readonly"), "BOOLEAN");
  assert.equal(cols.get("p_event_time"), "TIMESTAMP");
  assert.equal(cols.get("p_any_ip_addresses"), "ARRAY<STRING>");
  assert.equal(cols.get("resources"), "ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>");
  assert.equal(cols.get("p_source_file"), "STRUCT<aws_s3_bucket:STRING, aws_s3_key:STRING>");
  assert.match(cols.get("useridentity")!, /^STRUCT<type:STRING, principalid:STRING, arn:STRING, /);
  assert.match(cols.get("useridentity")!, /sessionissuer:STRUCT<type:STRING, principalid:STRING/);
});

Deno.test("athenaDdl() refuses a local lake and unknown tables", () => {
  assert.throws(() => athenaDdl("./iota-lake"), UsageError);
  assert.throws(() => athenaDdl("s3://lake", { table: "nope" }), /Invalid table "nope"/);
  const insight = athenaDdl("s3://lake", { table: "aws_cloudtrailinsight" });
  assert.match(insight, /LOCATION 's3:\/\/lake\/logs\/aws_cloudtrailinsight\/'/);
});

Deno.test("iota lake ddl prints the Athena table, and exits 2 for a local lake", async () => {
  const ok = await runIota(["lake", "ddl", "--engine", "athena", "--lake", "s3://sec-lake/iota"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, athenaDdl("s3://sec-lake/iota") + "\n");
  const local = await runIota(["lake", "ddl", "--engine", "athena", "--lake", "./lake"]);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /Cannot define an Athena table over lake "\.\/lake": Athena reads S3/);
  const engine = await runIota(["lake", "ddl", "--engine", "presto"]);
  assert.equal(engine.code, 2);
  assert.match(engine.stderr, /Invalid --engine "presto": expected athena or duckdb/);
});

Deno.test("the DuckDB view of iota lake ddl reads every event of a lake written by iota", async () => {
  const dir = await tempDir();
  try {
    const input = await lakeFromCorpus(dir.path);
    const printed = await runIota([
      "lake",
      "ddl",
      "--engine",
      "duckdb",
      "--lake",
      `${dir.path}/lake`,
    ]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trim(), duckdbDdl(`${dir.path}/lake`));

    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      await conn.run(printed.stdout);
      const total = await conn.runAndReadAll("SELECT count(*) AS n FROM aws_cloudtrail");
      assert.equal(Number(total.getRowObjectsJS()[0].n), input.events);
      const byName = await conn.runAndReadAll(
        "SELECT eventName, count(*) AS n FROM aws_cloudtrail GROUP BY eventName",
      );
      const got = new Map(
        byName.getRowObjectsJS().map((r) => [String(r.eventName), Number(r.n)]),
      );
      assert.deepEqual(got, input.byEventName);
      // Partition columns come from the Hive folders, typed columns from the records.
      const part = await conn.runAndReadAll(
        "SELECT count(*) AS n FROM aws_cloudtrail WHERE year = 2026 AND month = 11 AND day = 20 " +
          "AND hour = hour(p_event_time) AND userIdentity.type IS NOT NULL",
      );
      assert.equal(Number(part.getRowObjectsJS()[0].n), input.events);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    await dir.cleanup();
  }
});
