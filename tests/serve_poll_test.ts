/**
 * `iota serve` in polling mode on the fauxqs emulator: new files found by
 * listing after per-folder checkpoints (including a file of an account that
 * sorts before the last one seen, and a late file named just before the last
 * one of its folder), nothing processed twice across restarts, and the same
 * result as `iota process`.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { record } from "./_helpers/cloudtrail.ts";
import { tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import {
  freePort,
  lakeRows,
  objectCount,
  processReference,
  readState,
  startServe,
  stateSummary,
} from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const BUCKET = "org-trail";
const DAY = "2026/11/20";
const A = `AWSLogs/111122223333/CloudTrail/us-east-1/${DAY}/111122223333_CloudTrail_us-east-1_`;
const B = `AWSLogs/o-exampleorg1/444455556666/CloudTrail/eu-west-1/${DAY}/` +
  `444455556666_CloudTrail_eu-west-1_`;
const DIGEST = `AWSLogs/111122223333/CloudTrail-Digest/us-east-1/${DAY}/` +
  `111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261120T110412Z.json.gz`;

const trail = (...records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

Deno.test("iota serve polls S3 after per-folder checkpoints and matches iota process", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    await putObjects(emu.s3, BUCKET, {
      [`${A}20261120T1005Z_zzzz.json.gz`]: trail(
        record("StopLogging", "2026-11-20T10:01:00Z", { eventSource: "cloudtrail.amazonaws.com" }),
      ),
      [`${B}20261120T1010Z_bbbb.json.gz`]: trail(
        record("DescribeInstances", "2026-11-20T10:06:00Z"),
      ),
      [DIGEST]: gzipSync(JSON.stringify({ awsAccountId: "111122223333", logFiles: [] })),
      "other/not-a-trail.json.gz": trail(record("StopLogging", "2026-11-20T10:01:00Z")),
    });
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
  - name: org-trail-poll
    bucket: ${BUCKET}
    prefix: AWSLogs/
    poll_interval: 1s
metrics: 127.0.0.1:${port}
`,
    );
    const state = `${dir.path}/state/iota.db`;
    const serve = startServe(["--config", cfgPath], AWS_TEST_ENV);
    await serve.waitFor("3 objects", () => objectCount(state) === 3);
    const checkpoints = () =>
      readState(
        state,
        (db) =>
          (db.prepare("SELECT key, value FROM checkpoints WHERE scope = 'poll' ORDER BY key")
            .all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
      ) ?? [];
    await serve.waitFor("3 checkpoints", () => checkpoints().length === 3);
    const folder = (key: string) => key.slice(0, key.indexOf(DAY));
    assert.deepEqual(checkpoints(), [
      [`org-trail-poll:s3://${BUCKET}/${folder(DIGEST)}`, DIGEST],
      [`org-trail-poll:s3://${BUCKET}/${folder(A)}`, `${A}20261120T1005Z_zzzz.json.gz`],
      [`org-trail-poll:s3://${BUCKET}/${folder(B)}`, `${B}20261120T1010Z_bbbb.json.gz`],
    ]);

    // A newer file of account 1111… sorts before the 4444… folder's position; a late file
    // of the same minute sorts before its own folder's position.
    for (
      const [key, body] of [
        [`${A}20261120T1020Z_cccc.json.gz`, trail(record("ListUsers", "2026-11-20T10:16:00Z"))],
        [
          `${A}20261120T1005Z_aaaa.json.gz`,
          trail(record("GetCallerIdentity", "2026-11-20T10:02:00Z")),
        ],
      ] as const
    ) {
      await emu.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
    await serve.waitFor("5 objects", () => objectCount(state) === 5);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).integrations[0].status, "healthy");
    assert.equal(await serve.stop(), 0);
    assert.equal(serve.lines.filter((l) => l.startsWith("iota info: Processed")).length, 5);

    // A restart lists from the checkpoints and processes nothing again.
    const again = startServe(["--config", cfgPath, "--log-level", "debug"], AWS_TEST_ENV);
    await again.waitFor(
      "two polls",
      () => again.lines.filter((l) => l.includes("Polled")).length >= 2,
    );
    assert.equal(await again.stop(), 0);
    assert.equal(again.lines.filter((l) => l.startsWith("iota info: Processed")).length, 0);
    assert.equal(objectCount(state), 5);

    const reference = await processReference(dir.path, emu.endpoint, BUCKET, [
      "--rules",
      GOOD_RULES,
    ]);
    const served = stateSummary(state);
    assert.deepEqual(served, stateSummary(reference.state));
    assert.equal(served.objects.filter((o) => o.kind === "digest").length, 1);
    assert.equal(served.alerts.length, 1);
    assert.deepEqual(await lakeRows(`${dir.path}/lake`), await lakeRows(reference.lake));
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});
