/**
 * `iota lake query "SQL"`: DuckDB over the local lake with one view per log type.
 */
import assert from "node:assert/strict";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { lakeFromCorpus } from "./_helpers/lake.ts";

Deno.test("iota lake query answers SQL over the aws_cloudtrail view as JSON lines and a table", async () => {
  const dir = await tempDir();
  try {
    const input = await lakeFromCorpus(dir.path, 1500);
    const lake = `${dir.path}/lake`;
    const json = await runIota([
      "lake",
      "query",
      "--lake",
      lake,
      "--json",
      "SELECT eventName, count(*) AS n, max(p_event_time) AS last FROM aws_cloudtrail GROUP BY 1 ORDER BY 1",
    ]);
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      new Map(rows.map((r) => [r.eventName, r.n])),
      input.byEventName,
    );
    // Counts are numbers and timestamps ISO text, not DuckDB's internal objects.
    assert.equal(typeof rows[0].n, "number");
    assert.match(rows[0].last, /^2026-11-20T\d\d:\d\d:\d\d\.\d{3}Z$/);

    const table = await runIota([
      "lake",
      "query",
      "--lake",
      lake,
      "SELECT count(*) AS events, count(DISTINCT p_row_id) AS ids FROM aws_cloudtrail",
    ]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^events\s+ids$/);
    assert.match(lines[1], /^-+\s+-+$/);
    assert.deepEqual(lines[2].split(/\s+/), [String(input.events), String(input.events)]);
    assert.equal(lines[3], "(1 row)");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota lake query exits 2 with one line for bad SQL, an empty lake and an S3 lake", async () => {
  const dir = await tempDir();
  try {
    const empty = await runIota(["lake", "query", "--lake", dir.path, "SELECT 1"]);
    assert.equal(empty.code, 2);
    assert.match(
      empty.stderr,
      /^iota error: Cannot query lake ".*": no tables under its logs\/ folder yet\n$/,
    );
    await Deno.mkdir(`${dir.path}/logs/aws_cloudtrail`, { recursive: true });
    const bad = await runIota([
      "lake",
      "query",
      "--lake",
      dir.path,
      "SELECT nope FROM aws_cloudtrail",
    ]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    assert.match(bad.stderr, /Cannot (run query|read lake)/);
    const s3 = await runIota(["lake", "query", "--lake", "s3://lake/iota", "SELECT 1"]);
    assert.equal(s3.code, 2);
    assert.match(
      s3.stderr,
      /Cannot query lake "s3:\/\/lake\/iota": iota lake query reads a local lake/,
    );
  } finally {
    await dir.cleanup();
  }
});
