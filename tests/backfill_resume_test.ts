/**
 * Backfill runs that are killed half-way or overlap with `iota process`, on
 * the fauxqs emulator: no object is committed twice, no alert counted twice.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { record } from "./_helpers/cloudtrail.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import { lastJson, ORG, query, withOrgTrail, writeConfig } from "./_helpers/backfill.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const SLOW_RULES = new URL("./rules/slow_match", import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Lines in every lake file under `dir`. */
async function lakeLines(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await lakeLines(p);
    else if (e.name.endsWith(".json.gz")) {
      n += new TextDecoder().decode(gunzipSync(await Deno.readFile(p))).trimEnd().split("\n")
        .length;
    }
  }
  return n;
}

function countObjects(state: string): number {
  try {
    return query<{ n: number }>(state, "SELECT count(*) AS n FROM objects")[0].n;
  } catch {
    return 0; // not created yet
  }
}

Deno.test("iota backfill killed mid-run resumes from its checkpoints without duplicates", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    // 12 objects of one event each; the slow rule takes 0.2 s per event.
    const files: Record<string, Uint8Array> = {};
    for (const day of ["19", "20"]) {
      for (let n = 0; n < 6; n++) {
        const key =
          `AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/${day}/111122223333_CloudTrail_us-east-1_202611${day}T1${n}00Z_K${n}.json.gz`;
        files[key] = gzipSync(JSON.stringify({
          Records: [record(`Call${n}`, `2026-11-${day}T1${n}:01:00Z`)],
        }));
      }
    }
    await putObjects(emu.s3, "slow-trail", files);
    const config = await writeConfig(dir.path, emu.endpoint);
    const state = `${dir.path}/iota.db`;
    const lake = `${dir.path}/lake`;
    const args = [
      "backfill",
      "s3://slow-trail/AWSLogs/",
      "--start",
      "2026-11-19",
      "--end",
      "2026-11-20",
      "--config",
      config,
      "--state",
      state,
      "--lake",
      lake,
      "--rules",
      SLOW_RULES,
      "--concurrency",
      "1",
      "--workers",
      "1",
      "--json",
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      env: { ...AWS_TEST_ENV, NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 60_000;
    while (countObjects(state) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.success, false);
    const before = countObjects(state);
    assert.ok(before >= 3 && before < 12, `committed before the kill: ${before}`);
    const positions = query<{ value: string }>(
      state,
      "SELECT value FROM checkpoints WHERE scope = 'backfill'",
    ).map((r) => JSON.parse(r.value));
    assert.ok(positions.some((p) => typeof p.after === "string"));

    const resumed = await runIota(args, { env: AWS_TEST_ENV });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = lastJson(resumed.stdout);
    // Listing resumed after each checkpoint: nothing committed had to be skipped again.
    assert.equal(summary.objects, 12 - before);
    assert.equal(summary.skipped, 0);
    assert.equal(countObjects(state), 12);
    const alerts = query<{ n: number }>(state, "SELECT sum(match_count) AS n FROM alerts")[0];
    assert.equal(alerts.n, 12);
    assert.equal(await lakeLines(lake), 12);
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});

Deno.test("iota backfill and a concurrent iota process over the same objects count each once", () =>
  withOrgTrail(async ({ config, dir, keys }) => {
    const common = [
      "--config",
      config,
      "--state",
      `${dir}/iota.db`,
      "--lake",
      `${dir}/lake`,
      "--rules",
      GOOD_RULES,
      "--concurrency",
      "2",
      "--workers",
      "1",
      "--json",
    ];
    const [backfill, process] = await Promise.all([
      runIota(
        ["backfill", "s3://org-trail/AWSLogs/", "--start", "2026-11-18", "--end", "2026-11-21"]
          .concat(common),
        { env: AWS_TEST_ENV },
      ),
      runIota(["process", `s3://org-trail/AWSLogs/${ORG}/`, ...common], { env: AWS_TEST_ENV }),
    ]);
    assert.equal(backfill.code, 0, backfill.stderr);
    assert.equal(process.code, 0, process.stderr);
    const b = lastJson(backfill.stdout);
    const p = lastJson(process.stdout);
    const state = `${dir}/iota.db`;
    // 32 trail objects (all planned by the backfill, 24 of them under the organization
    // that process lists) plus the digest only process lists.
    assert.equal(countObjects(state), keys.length + 1);
    assert.equal((b.objects as number) + (p.objects as number), keys.length + 1);
    assert.equal((b.events as number) + (p.events as number), keys.length * 2);
    // One StopLogging by a distinct user per object: one alert each, fired once.
    assert.equal((b.alerts as number) + (p.alerts as number), keys.length);
    const stored = query<{ alerts: number; matches: number }>(
      state,
      "SELECT count(*) AS alerts, sum(match_count) AS matches FROM alerts",
    )[0];
    assert.deepEqual({ ...stored }, { alerts: keys.length, matches: keys.length });
    const outbox = query<{ n: number }>(state, "SELECT count(*) AS n FROM outbox")[0];
    assert.equal(outbox.n, keys.length);
    assert.equal(await lakeLines(`${dir}/lake`), keys.length * 2);
  }));
