/**
 * `iota process s3://bucket/prefix` against the fauxqs emulator with the real AWS SDK.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { record, trailKey } from "./_helpers/cloudtrail.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;

Deno.test("iota process reads every object under an S3 prefix, once", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    const t = new Date("2026-11-20T10:05:00Z");
    const gz = (recs: unknown[]) => gzipSync(JSON.stringify({ Records: recs }));
    await putObjects(emu.s3, "org-trail", {
      [trailKey("111122223333", "us-east-1", t, "AAAA")]: gz([
        record("StopLogging", "2026-11-20T10:02:00Z", { eventSource: "cloudtrail.amazonaws.com" }),
        record("DescribeInstances", "2026-11-20T10:03:00Z"),
      ]),
      [trailKey("444455556666", "us-east-1", t, "BBBB")]: gz([
        record("GetCallerIdentity", "2026-11-20T10:04:00Z"),
      ]),
      "other/ignored.json.gz": gz([record("StopLogging", "2026-11-20T10:05:00Z")]),
    });
    await Deno.writeTextFile(
      `${dir.path}/iota.yaml`,
      `aws:\n  region: us-east-1\n  endpoint: ${emu.endpoint}\n`,
    );
    const args = [
      "process",
      "s3://org-trail/AWSLogs/",
      "--config",
      `${dir.path}/iota.yaml`,
      "--json",
      "--state",
      `${dir.path}/iota.db`,
      "--lake",
      "none",
      "--rules",
      GOOD_RULES,
    ];
    const first = await runIota(args, { env: AWS_TEST_ENV });
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]);
    assert.equal(summary.objects, 2);
    assert.equal(summary.events, 3);
    assert.equal(summary.alerts, 1);
    assert.equal(JSON.parse(lines[0]).rule_id, "Test.StopLogging");
    const second = await runIota(args, { env: AWS_TEST_ENV });
    const again = JSON.parse(second.stdout.trim());
    assert.equal(again.objects, 0);
    assert.equal(again.skipped, 2);

    const missing = await runIota(
      ["process", "s3://no-such-bucket/x", "--config", `${dir.path}/iota.yaml`, "--lake", "none"],
      { env: AWS_TEST_ENV },
    );
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot list "s3:\/\/no-such-bucket\/x": /);
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});
