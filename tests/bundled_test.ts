/**
 * The bundled rules, fixtures and demo, checked against the manifests written
 * with the fixtures (tests/manifests/).
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { runIota, tempDir } from "./_helpers/mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}tests/manifests/fixtures.json`));
const samples = JSON.parse(await Deno.readTextFile(`${ROOT}tests/manifests/samples.json`));

async function countLakeRows(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await countLakeRows(p);
    else {n +=
        new TextDecoder().decode(gunzipSync(await Deno.readFile(p))).trimEnd().split("\n").length;}
  }
  return n;
}

Deno.test("iota rules test passes every test of every bundled rule", async () => {
  const res = await runIota(["rules", "test"]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const m = res.stdout.match(/\n(\d+) passed, 0 failed\n$/);
  assert.ok(m, res.stdout);
  assert.ok(Number(m[1]) >= 120, `${m[1]} tests`);
  const cov = res.stdout.match(
    /rules: (\d+), with tests: (\d+), with a true and a false test: (\d+)/,
  );
  assert.ok(cov);
  assert.ok(Number(cov[1]) >= 60, `${cov[1]} rules`);
  assert.equal(cov[1], cov[3], "every bundled rule has a true and a false test");
});

Deno.test("iota process tests/fixtures matches the fixture manifest, and a second run adds nothing", async () => {
  const dir = await tempDir();
  try {
    const args = [
      "process",
      `${ROOT}tests/fixtures`,
      "--json",
      "--state",
      `${dir.path}/iota.db`,
      "--lake",
      `${dir.path}/lake`,
    ];
    const first = await runIota(args);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const summary = lines[lines.length - 1];
    const totals = manifest.totals.good_tree;
    assert.equal(summary.objects, totals.objects);
    assert.equal(summary.digests, totals.digest_objects);
    assert.equal(summary.events, totals.events);
    assert.equal(summary.bad_records, totals.records - totals.events);
    assert.equal(summary.alerts, totals.alerts);
    assert.equal(summary.rule_errors, 0);
    const fired = lines.slice(0, -1).map((a) => `${a.rule_id} ${a.dedup}`).sort();
    const expected = manifest.alerts.map((a: { ruleId: string; dedup: string }) =>
      `${a.ruleId} ${a.dedup}`
    )
      .sort();
    assert.deepEqual(fired, expected);
    assert.equal(await countLakeRows(`${dir.path}/lake`), summary.events);

    const second = await runIota(args);
    const again = JSON.parse(second.stdout.trim());
    assert.equal(again.objects, 0);
    assert.equal(again.alerts, 0);
    assert.equal(again.skipped, totals.objects);
    assert.equal(await countLakeRows(`${dir.path}/lake`), summary.events);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process tests/bad_inputs reports each bad object and keeps every good record", async () => {
  const dir = await tempDir();
  try {
    const res = await runIota([
      "process",
      `${ROOT}tests/bad_inputs`,
      "--json",
      "--state",
      `${dir.path}/iota.db`,
      "--lake",
      `${dir.path}/lake`,
    ]);
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout.trim().split("\n").pop()!);
    const mixed = manifest.files["bad/records_with_bad.json"];
    const truncated = manifest.files["bad/truncated.json.gz"];
    assert.equal(summary.objects, 4);
    assert.equal(summary.bad_objects, 3);
    assert.equal(summary.bad_records, mixed.bad_records);
    assert.equal(summary.events, mixed.events + truncated.complete_records_before_cut);
    assert.equal(summary.alerts, manifest.bad_alerts.length);
    assert.equal(await countLakeRows(`${dir.path}/lake`), summary.events);
    for (const name of ["corrupt.json.gz", "truncated.json.gz", "not_json.json"]) {
      const lines = res.stderr.split("\n").filter((l) => l.includes(name));
      assert.equal(lines.length, 1, `one line for ${name}: ${res.stderr}`);
      assert.match(lines[0], /Cannot decode object ".*": /);
    }
    assert.match(
      res.stderr,
      /records_with_bad\.json" has 2 bad records: record 1: missing eventTime/,
    );
    for (
      const name of [
        "corrupt.json.gz",
        "truncated.json.gz",
        "not_json.json",
        "records_with_bad.json",
      ]
    ) {
      const strict = await runIota([
        "process",
        `${ROOT}tests/bad_inputs/${name}`,
        "--strict",
        "--json",
        "--lake",
        "none",
        "--state",
        `${dir.path}/strict-${name}.db`,
      ]);
      assert.equal(strict.code, 1, `--strict exits 1 for ${name}`);
      assert.equal(JSON.parse(strict.stdout.trim().split("\n").pop()!).type, "summary");
    }
  } finally {
    await dir.cleanup();
  }
});

Deno.test("deno task demo shows the sample trail's alerts and a summary", async () => {
  const dir = await tempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}scripts/demo.ts`],
      cwd: dir.path,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const alerts = stdout.match(/^\[(INFO|LOW|MEDIUM|HIGH|CRITICAL)\] /gm) ?? [];
    assert.equal(alerts.length, samples.alerts.length);
    assert.ok(alerts.length >= 3);
    assert.match(
      stdout,
      new RegExp(`Processed ${Object.keys(samples.files).length} objects`),
    );
    assert.match(stdout, new RegExp(`${samples.alerts.length} alerts`));
    await Deno.stat(`${dir.path}/iota-demo/iota.db`);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("the Python engine's own test suite passes", async () => {
  const out = await new Deno.Command("python3", {
    args: ["-m", "unittest", "discover", "-s", `${ROOT}tests/python`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  const ran = text.match(/Ran (\d+) tests?/);
  assert.ok(ran && Number(ran[1]) > 50, text);
  assert.match(text, /\nOK/);
});
