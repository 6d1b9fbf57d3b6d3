/**
 * `iota serve` stopped with SIGTERM while objects are in work exits 0, and a
 * second run finishes the rest: nothing lost, nothing counted twice, the same
 * result as `iota process` over the same files.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { record, trailKey } from "./_helpers/cloudtrail.ts";
import { tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import {
  createQueue,
  lakeRows,
  objectCount,
  processReference,
  queueDepth,
  s3Event,
  send,
  startServe,
  stateSummary,
} from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const SLOW_RULES = new URL("./rules/slow", import.meta.url).pathname;
const BUCKET = "org-trail";
const FILES = 12;

Deno.test("iota serve exits 0 on SIGTERM mid-processing and a second run finishes the rest once", async () => {
  await stopMidwayAndResume({ shutdownSecs: 60, slowCalls: 2 });
});

Deno.test("iota serve hands unfinished messages back at the shutdown deadline, losing nothing", async () => {
  await stopMidwayAndResume({ shutdownSecs: 0.3, slowCalls: 4 });
});

async function stopMidwayAndResume(options: { shutdownSecs: number; slowCalls: number }) {
  const emu = await startEmulator();
  const dir = await tempDir();
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const bodies: Record<string, Uint8Array> = {};
    for (let i = 0; i < FILES; i++) {
      const t = new Date(Date.UTC(2026, 10, 20, 10, 5 * i));
      const minute = String(5 * i % 60).padStart(2, "0");
      const hour = 10 + Math.floor(5 * i / 60);
      bodies[trailKey("111122223333", "us-east-1", t, `F${i}`)] = gzipSync(JSON.stringify({
        Records: [
          record("StopLogging", `2026-11-20T${hour}:${minute}:02Z`, {
            eventSource: "cloudtrail.amazonaws.com",
            userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111122223333:user/u${i}` },
          }),
          ...Array.from(
            { length: options.slowCalls },
            (_, n) => record("SlowCall", `2026-11-20T${hour}:${minute}:${String(10 + n)}Z`),
          ),
        ],
      }));
    }
    await putObjects(emu.s3, BUCKET, bodies);
    const listed = await emu.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const queue = await createQueue(sqs, "iota-notifications");
    for (const o of listed.Contents!) {
      await send(sqs, queue.url, s3Event(BUCKET, [{ key: o.Key!, size: o.Size!, etag: o.ETag! }]));
    }
    // Only the slow rule that matches nothing: tests/rules/slow also holds one matching everything.
    const slowRules = `${dir.path}/slow`;
    Deno.mkdirSync(slowRules);
    for (const f of ["slow_call.yml", "slow_call.py"]) {
      Deno.copyFileSync(`${SLOW_RULES}/${f}`, `${slowRules}/${f}`);
    }
    const cfgPath = `${dir.path}/iota.yaml`;
    Deno.writeTextFileSync(
      cfgPath,
      `state: ./state/iota.db
lake: ./lake
rules: [${GOOD_RULES}, ${slowRules}]
workers: 2
aws: { region: us-east-1, endpoint: "${emu.endpoint}" }
integrations:
  - name: org-trail
    bucket: ${BUCKET}
    prefix: AWSLogs/
    queue_url: ${queue.url}
    visibility_timeout_secs: 5
outputs:
  - { name: archive, type: file, path: ./alerts.jsonl }
metrics: none
serve: { concurrency: 2, shutdown_timeout_secs: ${options.shutdownSecs} }
`,
    );
    const state = `${dir.path}/state/iota.db`;

    const first = startServe(["--config", cfgPath], AWS_TEST_ENV);
    await first.waitFor("the first object", () => objectCount(state) >= 1);
    first.kill("SIGTERM");
    assert.equal(await first.status, 0);
    const afterFirst = objectCount(state);
    assert.ok(afterFirst >= 1 && afterFirst < FILES, `first run committed ${afterFirst}`);
    assert.ok(first.lines.some((l) => l.startsWith("iota info: Stopping (SIGTERM)")));
    if (options.shutdownSecs < 1) {
      assert.ok(first.lines.some((l) => l.startsWith("iota warn: Shutdown deadline reached")));
    }
    assert.ok(first.lines.some((l) => l === "iota info: iota serve stopped"));
    assert.deepEqual(first.lines.filter((l) => l.startsWith("iota error")), []);

    const second = startServe(["--config", cfgPath], AWS_TEST_ENV);
    await second.waitFor("every object", () => objectCount(state) === FILES, 120_000);
    await second.waitFor("an empty queue", async () => (await queueDepth(sqs, queue.url)) === 0);
    await second.waitFor("every alert delivered", () => {
      try {
        return Deno.readTextFileSync(`${dir.path}/alerts.jsonl`).trim().split("\n").length >= FILES;
      } catch {
        return false;
      }
    });
    assert.equal(await second.stop(), 0);
    // Objects committed by the first run were not processed again.
    const processedAgain = second.lines.filter((l) => l.startsWith("iota info: Processed")).length;
    assert.equal(processedAgain, FILES - afterFirst);

    const delivered = Deno.readTextFileSync(`${dir.path}/alerts.jsonl`).trim().split("\n")
      .map((l) => JSON.parse(l).id);
    assert.equal(delivered.length, FILES);
    assert.equal(new Set(delivered).size, FILES);

    const reference = await processReference(dir.path, emu.endpoint, BUCKET, [
      "--rules",
      GOOD_RULES,
      "--rules",
      slowRules,
    ]);
    const served = stateSummary(state);
    assert.deepEqual(served, stateSummary(reference.state));
    assert.equal(served.alerts.length, FILES);
    assert.ok(served.alerts.every((a) => a.count === 1));
    const rows = await lakeRows(`${dir.path}/lake`);
    assert.equal(rows.size, FILES * (1 + options.slowCalls));
    assert.deepEqual(rows, await lakeRows(reference.lake));
  } finally {
    sqs.destroy();
    await emu.stop();
    await dir.cleanup();
  }
}
