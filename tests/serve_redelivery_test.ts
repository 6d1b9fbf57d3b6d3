/**
 * `iota serve` against at-least-once delivery: a notification delivered twice
 * while its object is in work is counted once; a notification of a missing
 * object is an error, stays in the queue and ends in the dead-letter queue;
 * /healthz reports the integration failing until an object commits again.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { record, trailKey } from "./_helpers/cloudtrail.ts";
import { tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";
import {
  createQueue,
  freePort,
  queueDepth,
  readState,
  s3Event,
  send,
  startServe,
} from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const SLOW_RULES = new URL("./rules/slow", import.meta.url).pathname;
const BUCKET = "org-trail";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

async function metrics(port: number): Promise<string> {
  return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function metric(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

Deno.test("iota serve counts an object once when its notification is delivered twice, and leaves missing objects to the redrive policy", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
  });
  try {
    const t = new Date("2026-11-20T10:05:00Z");
    const key = trailKey("111122223333", "us-east-1", t, "TWICE");
    await putObjects(emu.s3, BUCKET, {
      [key]: gzipSync(JSON.stringify({
        Records: [
          record("SlowCall", "2026-11-20T10:00:00Z"),
          record("StopLogging", "2026-11-20T10:01:00Z", {
            eventSource: "cloudtrail.amazonaws.com",
          }),
          record("SlowCall", "2026-11-20T10:02:00Z"),
        ],
      })),
    });
    const listed = await emu.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const obj = { key, size: listed.Contents![0].Size!, etag: listed.Contents![0].ETag! };
    const dlq = await createQueue(sqs, "iota-dlq");
    const queue = await createQueue(sqs, "iota-notifications", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    // Delivered twice: both copies arrive while the object is still in work.
    await send(sqs, queue.url, s3Event(BUCKET, [obj]));
    await send(sqs, queue.url, s3Event(BUCKET, [obj]));

    // Only the slow rule that matches nothing: tests/rules/slow also holds one matching everything.
    Deno.mkdirSync(`${dir.path}/slow`);
    for (const f of ["slow_call.yml", "slow_call.py"]) {
      Deno.copyFileSync(`${SLOW_RULES}/${f}`, `${dir.path}/slow/${f}`);
    }
    const port = freePort();
    Deno.writeTextFileSync(
      `${dir.path}/iota.yaml`,
      `state: ${dir.path}/state/iota.db
lake: none
rules: [${GOOD_RULES}, ${dir.path}/slow]
workers: 1
aws: { region: us-east-1, endpoint: "${emu.endpoint}" }
integrations:
  - name: org-trail
    bucket: ${BUCKET}
    queue_url: ${queue.url}
    visibility_timeout_secs: 1
outputs:
  - { name: archive, type: file, path: ./alerts.jsonl }
metrics: 127.0.0.1:${port}
# The missing object fails twice before the dead-letter queue takes it: failing from then on.
serve: { health_failing_after: 2 }
`,
    );
    const serve = startServe(["--config", `${dir.path}/iota.yaml`], AWS_TEST_ENV);
    await serve.waitFor(
      "both copies handled",
      async () => (await queueDepth(sqs, queue.url)) === 0,
    );
    const missingKey = trailKey("111122223333", "us-east-1", t, "MISSING");
    await send(sqs, queue.url, s3Event(BUCKET, [{ key: missingKey, size: 10, etag: "abc" }]));
    // A body that is no notification at all goes the same way.
    await send(sqs, queue.url, "hello from a misconfigured producer");
    await serve.waitFor(
      "both bad messages in the dead-letter queue",
      async () => (await queueDepth(sqs, dlq.url)) === 2,
    );
    await serve.waitFor("an empty queue", async () => (await queueDepth(sqs, queue.url)) === 0);
    const text = await metrics(port);
    assert.equal(metric(text, 'iota_objects_total{integration="org-trail",result="processed"}'), 1);
    assert.equal(metric(text, 'iota_objects_total{integration="org-trail",result="skipped"}'), 1);
    assert.ok(metric(text, 'iota_objects_total{integration="org-trail",result="error"}') >= 2);
    assert.equal(
      metric(text, 'iota_sqs_messages_total{integration="org-trail",result="deleted"}'),
      2,
    );
    assert.ok(metric(text, 'iota_sqs_messages_total{integration="org-trail",result="kept"}') >= 2);
    assert.equal(metric(text, 'iota_events_total{integration="org-trail"}'), 3);
    assert.equal(
      metric(text, 'iota_sqs_messages_total{integration="org-trail",result="invalid"}'),
      2,
    );

    const unhealthy = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(unhealthy.status, 503);
    const report = await unhealthy.json();
    assert.equal(report.healthy, false);
    assert.equal(report.integrations[0].status, "failing");
    assert.equal(
      report.integrations[0].lastError,
      `Cannot read object "s3://${BUCKET}/${missingKey}": The specified key does not exist.`,
    );

    // The next object that commits clears the failure.
    const nextKey = trailKey("111122223333", "us-east-1", t, "NEXT");
    await emu.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: nextKey,
        Body: gzipSync(JSON.stringify({ Records: [record("ListUsers", "2026-11-20T10:09:00Z")] })),
      }),
    );
    await send(sqs, queue.url, s3Event(BUCKET, [{ key: nextKey, size: 1, etag: "next" }]));
    await serve.waitFor("a healthy integration", async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      await r.body?.cancel();
      return r.status === 200;
    });
    assert.equal(await serve.stop(), 0);

    const errors = serve.lines.filter((l) => l.startsWith("iota error:"));
    const unreadable =
      `iota error: Cannot read object "s3://${BUCKET}/${missingKey}": The specified key does not exist. integration=org-trail`;
    const unparsable =
      /^iota error: Cannot parse message "[^"]+" from "[^"]+": message body is not JSON integration=org-trail receive_count=[12]$/;
    assert.equal(errors.filter((l) => l === unreadable).length, 2);
    assert.equal(errors.filter((l) => unparsable.test(l)).length, 2);
    assert.equal(errors.length, 4);
    const counts = readState(`${dir.path}/state/iota.db`, (db) => ({
      objects: db.prepare("SELECT uri, events FROM objects ORDER BY uri").all(),
      alerts: db.prepare("SELECT rule_id, match_count FROM alerts").all(),
    }))!;
    assert.deepEqual(counts.objects.map((o) => ({ ...o })), [
      { uri: `s3://${BUCKET}/${nextKey}`, events: 1 },
      { uri: `s3://${BUCKET}/${key}`, events: 3 },
    ]);
    // One StopLogging match, not two: the second delivery did not re-count it.
    assert.deepEqual(counts.alerts.map((a) => ({ ...a })), [
      { rule_id: "Test.StopLogging", match_count: 1 },
    ]);
    assert.equal(Deno.readTextFileSync(`${dir.path}/alerts.jsonl`).trim().split("\n").length, 1);
  } finally {
    sqs.destroy();
    await emu.stop();
    await dir.cleanup();
  }
});
