/**
 * `iota backfill DIR` over a local copy of a trail: --no-alerts, --lake-only
 * and the objects shared with `iota process`.
 */
import assert from "node:assert/strict";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { writeTree } from "./_helpers/cloudtrail.ts";
import { lastJson, query } from "./_helpers/backfill.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;

Deno.test("iota backfill --no-alerts keeps alerts without deliveries; --lake-only runs no rules", async () => {
  const dir = await tempDir();
  try {
    await writeTree(`${dir.path}/in`);
    const base = ["backfill", `${dir.path}/in`, "--start", "2026-11-20", "--end", "2026-11-20"];
    const quiet = await runIota([
      ...base,
      "--no-alerts",
      "--rules",
      GOOD_RULES,
      "--lake",
      "none",
      "--state",
      `${dir.path}/a.db`,
      "--json",
    ]);
    assert.equal(quiet.code, 0, quiet.stderr);
    const lines = quiet.stdout.trim().split("\n");
    assert.equal(lines.length, 1, "no alert is printed");
    // writeTree has one .json.gz and one plain .json trail file (both picked up).
    const s = lastJson(quiet.stdout);
    assert.equal(s.objects, 2);
    assert.equal(s.events, 6);
    assert.equal(s.alerts, 2); // StopLogging (twice, one window) and the root call
    const state = `${dir.path}/a.db`;
    assert.equal(query<{ n: number }>(state, "SELECT count(*) AS n FROM alerts")[0].n, 2);
    assert.equal(query<{ n: number }>(state, "SELECT count(*) AS n FROM outbox")[0].n, 0);

    const lakeOnly = await runIota([
      ...base,
      "--lake-only",
      "--rules",
      GOOD_RULES,
      "--lake",
      `${dir.path}/lake`,
      "--state",
      `${dir.path}/b.db`,
      "--json",
    ]);
    assert.equal(lakeOnly.code, 0, lakeOnly.stderr);
    const l = lastJson(lakeOnly.stdout);
    assert.equal(l.events, 6);
    assert.equal(l.alerts, 0);
    assert.equal(l.events_to_rules, 0);
    assert.equal(
      query<{ n: number }>(`${dir.path}/b.db`, "SELECT count(*) AS n FROM alerts")[0].n,
      0,
    );

    // The same files through iota process on the backfill's state: nothing left to do.
    const again = await runIota([
      "process",
      `${dir.path}/in`,
      "--lake",
      "none",
      "--state",
      state,
      "--rules",
      GOOD_RULES,
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(lastJson(again.stdout).objects, 0);
    assert.equal(lastJson(again.stdout).skipped, 2);

    const none = await runIota([...base, "--lake-only", "--lake", "none", "--state", state]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Invalid --lake-only with --lake none/);
    const missing = await runIota(["backfill", `${dir.path}/nope`, "--start", "2026-11-20"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read ".*\/nope": not a directory or s3:\/\/ location/);
  } finally {
    await dir.cleanup();
  }
});
