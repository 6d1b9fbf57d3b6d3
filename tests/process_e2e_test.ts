/**
 * `iota process` end to end, as a child process, over files written by the test.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { writeTree } from "./_helpers/cloudtrail.ts";
import { processWithRules, runIota, storedAlerts, tempDir } from "./_helpers/mod.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const FAULTY_RULES = new URL("./rules/faulty", import.meta.url).pathname;
function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

async function lakeRows(lake: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else {
        assert.match(
          p,
          /logs\/aws_cloudtrail\/year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/[^/]+\.json\.gz$/,
        );
        const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(p)));
        for (const line of text.trimEnd().split("\n")) rows.push(JSON.parse(line));
      }
    }
  };
  await walk(lake);
  return rows;
}

Deno.test("iota process runs the whole pipeline, and a second run adds nothing", async () => {
  const dir = await tempDir();
  try {
    const { events } = await writeTree(`${dir.path}/in`);
    const args = [
      "process",
      `${dir.path}/in`,
      "--json",
      "--state",
      `${dir.path}/state/iota.db`,
      "--lake",
      `${dir.path}/lake`,
      "--rules",
      GOOD_RULES,
    ];
    const first = await runIota(args);
    assert.equal(first.code, 0, first.stderr);
    const summary = lastJson(first.stdout);
    assert.equal(summary.type, "summary");
    assert.equal(summary.objects, 2);
    assert.equal(summary.events, events);
    assert.equal(summary.bad_records, 0);
    assert.equal(summary.rule_errors, 0);
    // Two StopLogging by eve inside one hour dedup into one alert; the root call is another.
    assert.equal(summary.alerts, 2);
    const printed = first.stdout.trim().split("\n").slice(0, -1).map((l) => JSON.parse(l));
    assert.deepEqual(printed.map((a) => a.rule_id).sort(), [
      "Test.RootActivity",
      "Test.StopLogging",
    ]);
    // Stdout shows each alert when it fires; the stored alert holds the final count.
    const stored = await storedAlerts(`${dir.path}/state/iota.db`);
    const stop = stored.find((a) => a.rule_id === "Test.StopLogging")!;
    assert.equal(stop.count, 2);
    assert.equal(stop.title, "Logging stopped by arn:aws:iam::111122223333:user/eve");
    assert.equal(stored.find((a) => a.rule_id === "Test.RootActivity")!.severity, "Medium");
    assert.equal(typeof summary.seconds, "number");

    const rows = await lakeRows(`${dir.path}/lake`);
    assert.equal(rows.length, events);
    const future = rows.find((r) => r.unknownFutureField !== undefined)!;
    assert.deepEqual(future.unknownFutureField, { kept: [1, 2] });
    assert.equal(future.p_log_type, "AWS.CloudTrail");
    assert.equal(typeof future.p_row_id, "string");

    const second = await runIota(args);
    assert.equal(second.code, 0, second.stderr);
    const again = lastJson(second.stdout);
    assert.equal(again.objects, 0);
    assert.equal(again.skipped, 2);
    assert.equal(again.alerts, 0);
    assert.equal(second.stdout.trim().split("\n").length, 1, "no alert lines on the second run");
    assert.equal((await lakeRows(`${dir.path}/lake`)).length, events);

    assert.deepEqual(await storedAlerts(`${dir.path}/state/iota.db`), stored);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process records a raising rule's errors and keeps the other rules' alerts", async () => {
  const dir = await tempDir();
  try {
    await writeTree(`${dir.path}/in`);
    const run = (name: string, rules: string[]) => processWithRules(dir.path, name, rules);
    const alone = await run("alone", [GOOD_RULES]);
    const together = await run("together", [GOOD_RULES, FAULTY_RULES]);
    assert.equal(together.code, 0, together.stderr);
    assert.equal(alone.code, 0, alone.stderr);
    const alerts = async (name: string) =>
      (await storedAlerts(`${dir.path}/${name}/iota.db`)).map((a) => [a.rule_id, a.dedup, a.count])
        .sort();
    assert.equal((await alerts("alone")).length, 2);
    assert.deepEqual(await alerts("together"), await alerts("alone"));
    assert.equal(lastJson(together.stdout).rule_errors, 2);
    assert.match(
      together.stderr,
      /Rule "Test\.Raises" failed on 2 events: ValueError: boom on describe/,
    );

    const errors = await runIota([
      "rules",
      "errors",
      "--json",
      "--state",
      `${dir.path}/together/iota.db`,
    ]);
    const row = JSON.parse(errors.stdout.trim());
    assert.equal(row.rule_id, "Test.Raises");
    assert.equal(row.count, 2);
    assert.equal(row.message, "boom on describe");
    assert.match(row.last_row_id, /^[0-9a-f]+$/);

    const strict = await runIota([
      "process",
      `${dir.path}/in`,
      "--strict",
      "--lake",
      "none",
      "--state",
      `${dir.path}/strict/iota.db`,
      "--rules",
      FAULTY_RULES,
    ]);
    assert.equal(strict.code, 1);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process reports a corrupt gzip in one line and processes every good file", async () => {
  const dir = await tempDir();
  try {
    const { events } = await writeTree(`${dir.path}/in`);
    const corrupt =
      `${dir.path}/in/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/corrupt.json.gz`;
    await Deno.writeFile(
      corrupt,
      new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7]),
    );
    const args = [
      "process",
      `${dir.path}/in`,
      "--json",
      "--lake",
      `${dir.path}/lake`,
      "--rules",
      GOOD_RULES,
    ];
    const res = await runIota([...args, "--state", `${dir.path}/a/iota.db`]);
    assert.equal(res.code, 0, res.stderr);
    const summary = lastJson(res.stdout);
    assert.equal(summary.objects, 3);
    assert.equal(summary.bad_objects, 1);
    assert.equal(summary.events, events);
    assert.equal(summary.alerts, 2);
    const errorLines = res.stderr.split("\n").filter((l) => l.includes("corrupt.json.gz"));
    assert.equal(errorLines.length, 1);
    assert.match(errorLines[0], /Cannot decode object ".*corrupt\.json\.gz": /);
    assert.equal((await lakeRows(`${dir.path}/lake`)).length, events);

    const strict = await runIota([...args, "--strict", "--state", `${dir.path}/b/iota.db`]);
    assert.equal(strict.code, 1);
    assert.equal(lastJson(strict.stdout).events, events);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota rules test reports each failing test with its reason and exits 1", async () => {
  const good = await runIota(["rules", "test", "--rules", GOOD_RULES]);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /\n4 passed, 0 failed\n$/);
  const bad = await runIota(["rules", "test", "--rules", FAULTY_RULES]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAIL Test\.WrongExpectation \/ expects a match that never comes: /);
  assert.match(
    bad.stdout,
    /FAIL Test\.Raises \/ raises on describe: .*ValueError: boom on describe/,
  );
  assert.match(bad.stdout, /\n0 passed, 2 failed\n$/);
});
