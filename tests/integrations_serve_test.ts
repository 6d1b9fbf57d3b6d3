/**
 * `iota serve` with integrations from both places: one added with
 * `iota integrations add`, one from the config file that overrides a stored
 * one (drift reported). Both run, their events carry their p_source_id and
 * p_source_label, and health is persisted for `iota integrations health`.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { record } from "./_helpers/cloudtrail.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import { freePort, objectCount, startServe } from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const BUCKET = "org-trail";
const DAY = "2026/11/20";
const ACCOUNT_KEY = `AWSLogs/111122223333/CloudTrail/us-east-1/${DAY}/` +
  "111122223333_CloudTrail_us-east-1_20261120T1005Z_acct.json.gz";
const ORG_KEY = `AWSLogs/o-exampleorg1/444455556666/CloudTrail/eu-west-1/${DAY}/` +
  "444455556666_CloudTrail_eu-west-1_20261120T1010Z_org1.json.gz";

const trail = (...records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

/** p_source_id → p_source_label of every lake row. */
async function lakeSources(lake: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (p.endsWith(".json.gz")) {
        for (
          const line of new TextDecoder().decode(gunzipSync(await Deno.readFile(p))).trim().split(
            "\n",
          )
        ) {
          const row = JSON.parse(line);
          if (!out.has(row.p_source_id)) out.set(row.p_source_id, new Set());
          out.get(row.p_source_id)!.add(row.p_source_label);
        }
      }
    }
  };
  await walk(lake);
  return out;
}

Deno.test("iota serve runs integrations added with the CLI next to config ones, and the config wins on drift", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    await putObjects(emu.s3, BUCKET, {
      [ACCOUNT_KEY]: trail(record("ListUsers", "2026-11-20T10:01:00Z")),
      [ORG_KEY]: trail(
        record("DescribeInstances", "2026-11-20T10:06:00Z"),
        record("GetCallerIdentity", "2026-11-20T10:07:00Z"),
      ),
    });
    const state = `${dir.path}/state/iota.db`;
    const cli = (...args: string[]) =>
      runIota(["integrations", ...args, "--state", state], { env: AWS_TEST_ENV });
    const added = await cli(
      "add",
      "cli-org",
      "--bucket",
      BUCKET,
      "--prefix",
      "AWSLogs/o-exampleorg1/",
      "--poll",
      "--poll-interval",
      "1s",
      "--label",
      "Org trail (CLI)",
    );
    assert.equal(added.code, 0, added.stderr);
    // Stored by hand under a name the config file also uses, with another prefix.
    const drifted = await cli(
      "add",
      "cfg-acct",
      "--bucket",
      BUCKET,
      "--prefix",
      "AWSLogs/999999999999/",
      "--poll",
      "--poll-interval",
      "1s",
    );
    assert.equal(drifted.code, 0, drifted.stderr);

    const port = freePort();
    const cfgPath = `${dir.path}/iota.yaml`;
    Deno.writeTextFileSync(
      cfgPath,
      `state: ./state/iota.db
lake: ./lake
rules: [${GOOD_RULES}]
workers: 1
aws: { region: us-east-1, endpoint: "${emu.endpoint}" }
integrations:
  - name: cfg-acct
    bucket: ${BUCKET}
    prefix: AWSLogs/111122223333/
    poll_interval: 1s
metrics: 127.0.0.1:${port}
`,
    );
    const started = Date.now();
    const serve = startServe(["--config", cfgPath], AWS_TEST_ENV);
    await serve.waitFor("2 objects", () => objectCount(state) === 2);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const report = await health.json();
    assert.deepEqual(
      report.integrations.map((i: { name: string; status: string }) => [i.name, i.status]),
      [["cfg-acct", "healthy"], ["cli-org", "healthy"]],
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /\niota_integration_up\{integration="cli-org"\} 1\n/);
    const lastObject = metrics.match(
      /\niota_integration_last_object_timestamp_seconds\{integration="cli-org"\} ([\d.]+)\n/,
    );
    assert.ok(lastObject !== null && Number(lastObject[1]) * 1000 > started, metrics);
    // The fixture events are from 2026-11-20, so the lag is the time since then.
    const lag = metrics.match(
      /\niota_integration_event_lag_seconds\{integration="cli-org"\} (\d+)\n/,
    );
    assert.ok(lag !== null, metrics);
    const expectedLag = (Date.now() - Date.parse("2026-11-20T10:07:00Z")) / 1000;
    assert.ok(
      Math.abs(Number(lag[1]) - expectedLag) < 120,
      `lag ${lag[1]}, expected ~${expectedLag}`,
    );
    assert.equal(await serve.stop(), 0);

    assert.ok(
      serve.lines.includes(
        `iota warn: Integration "cfg-acct" in the state database differs from config "${cfgPath}" in prefix, origin: using the config file`,
      ),
      serve.lines.join("\n"),
    );
    assert.ok(serve.lines.some((l) => l.startsWith('iota info: Integration "cli-org" started')));
    assert.deepEqual(
      await lakeSources(`${dir.path}/lake`),
      new Map([["cfg-acct", new Set(["cfg-acct"])], ["cli-org", new Set(["Org trail (CLI)"])]]),
    );

    const list = await cli("list", "--json");
    const rows = list.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.name, r.prefix, r.origin]), [
      ["cfg-acct", "AWSLogs/111122223333/", "config"],
      ["cli-org", "AWSLogs/o-exampleorg1/", "cli"],
    ]);
    const after = await cli("health", "--json");
    assert.equal(after.code, 0, after.stderr);
    const views = JSON.parse(after.stdout).integrations;
    assert.equal(views[1].last_object, `s3://${BUCKET}/${ORG_KEY}`);
    assert.equal(views[1].last_event_time, "2026-11-20T10:07:00.000Z");
    assert.deepEqual(views[1].last_24h, {
      objects: 1,
      events: 2,
      bad_records: 0,
      rule_errors: 0,
      errors: 0,
    });
    assert.deepEqual([views[1].accounts, views[1].regions], [["444455556666"], ["eu-west-1"]]);
    assert.deepEqual([views[0].accounts, views[0].regions], [["111122223333"], ["us-east-1"]]);

    // A config-file integration is changed in the file, not with the CLI.
    const refused = await cli("update", "cfg-acct", "--prefix", "AWSLogs/");
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /Cannot update integration "cfg-acct": it comes from the config file/,
    );
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});
