/**
 * `iota serve` in SQS mode, end to end on the fauxqs emulator: every
 * notification format, results equal to `iota process`, redelivery, missing
 * objects, /healthz and /metrics.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { record, trailKey } from "./_helpers/cloudtrail.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, type Emulator, putObjects, startEmulator } from "./_helpers/aws.ts";
import {
  createQueue,
  eventBridgeEvent,
  freePort,
  lakeRows,
  objectCount,
  processReference,
  queueDepth,
  readState,
  s3Event,
  send,
  startServe,
  stateSummary,
} from "./_helpers/serve.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const BUCKET = "org-trail";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const T = new Date("2026-11-20T10:05:00Z");

function user(name: string) {
  return {
    type: "IAMUser",
    arn: `arn:aws:iam::111122223333:user/${name}`,
    accountId: "111122223333",
    userName: name,
  };
}

const gz = (recs: unknown[]) => gzipSync(JSON.stringify({ Records: recs }));

/** Uploads trail files and returns their listing (key, size, etag) by short name. */
async function upload(
  emu: Emulator,
  files: Record<string, { key: string; records: unknown[] }>,
): Promise<Record<string, { key: string; size: number; etag: string }>> {
  const bodies: Record<string, Uint8Array> = {};
  for (const f of Object.values(files)) bodies[f.key] = gz(f.records);
  await putObjects(emu.s3, BUCKET, bodies);
  const listed = await emu.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const out: Record<string, { key: string; size: number; etag: string }> = {};
  for (const [name, f] of Object.entries(files)) {
    const o = listed.Contents!.find((c) => c.Key === f.key)!;
    out[name] = { key: f.key, size: o.Size!, etag: o.ETag!.replace(/"/g, "") };
  }
  return out;
}

function config(
  dir: string,
  emu: Emulator,
  queueUrl: string,
  extra: { port?: number; visibility?: number; rules?: string[] } = {},
): string {
  const path = `${dir}/iota.yaml`;
  Deno.writeTextFileSync(
    path,
    `state: ./state/iota.db
lake: ./lake
rules: [${(extra.rules ?? [GOOD_RULES]).join(", ")}]
workers: 1
aws:
  region: us-east-1
  endpoint: ${emu.endpoint}
integrations:
  - name: org-trail
    label: Organization trail
    bucket: ${BUCKET}
    prefix: AWSLogs/
    queue_url: ${queueUrl}
    visibility_timeout_secs: ${extra.visibility ?? 20}
outputs:
  - name: archive
    type: file
    path: ./alerts.jsonl
metrics: ${extra.port === undefined ? "none" : `127.0.0.1:${extra.port}`}
serve:
  shutdown_timeout_secs: 30
`,
  );
  return path;
}

async function metricValue(port: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

Deno.test("iota serve takes every notification format from SQS and matches iota process", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  const clientConfig = { endpoint: emu.endpoint, region: "us-east-1", credentials: CREDENTIALS };
  const sqs = new SQSClient(clientConfig);
  const sns = new SNSClient(clientConfig);
  try {
    const key = (acct: string, unique: string) => trailKey(acct, "us-east-1", T, unique);
    const files = await upload(emu, {
      direct: {
        key: key("111122223333", "DIRECT"),
        records: [
          record("StopLogging", "2026-11-20T10:01:00Z", {
            userIdentity: user("eve"),
            eventSource: "cloudtrail.amazonaws.com",
          }),
          record("DescribeInstances", "2026-11-20T10:02:00Z"),
        ],
      },
      snsWrapped: {
        key: key("111122223333", "SNSWRAP"),
        records: [record("GetCallerIdentity", "2026-11-20T10:03:00Z")],
      },
      snsRaw: {
        key: key("444455556666", "SNSRAW"),
        records: [
          record("ListBuckets", "2026-11-20T10:04:00Z", {
            userIdentity: { type: "Root", arn: "arn:aws:iam::444455556666:root" },
            recipientAccountId: "444455556666",
          }),
        ],
      },
      eventBridge: {
        key: key("111122223333", "EVBRIDGE"),
        records: [record("DescribeInstances", "2026-11-20T10:05:00Z")],
      },
      trail1: {
        key: key("111122223333", "TRAIL1"),
        records: [
          record("StopLogging", "2026-11-20T10:06:00Z", {
            userIdentity: user("mallory"),
            eventSource: "cloudtrail.amazonaws.com",
          }),
        ],
      },
      trail2: {
        key: key("111122223333", "TRAIL2"),
        records: [record("DescribeVpcs", "2026-11-20T10:07:00Z")],
      },
      // S3 URL-encodes keys in notifications, with "+" for a space.
      encoded: {
        key: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/copy of trail+1=2.json.gz",
        records: [record("DescribeRegions", "2026-11-20T10:08:00Z")],
      },
    });

    const queue = await createQueue(sqs, "iota-notifications");
    const wrapped = await sns.send(new CreateTopicCommand({ Name: "trail-wrapped" }));
    const raw = await sns.send(new CreateTopicCommand({ Name: "trail-raw" }));
    await sns.send(
      new SubscribeCommand({ TopicArn: wrapped.TopicArn, Protocol: "sqs", Endpoint: queue.arn }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: raw.TopicArn,
        Protocol: "sqs",
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const publish = (topic: string, body: unknown, subject?: string) =>
      sns.send(
        new PublishCommand({ TopicArn: topic, Message: JSON.stringify(body), Subject: subject }),
      );

    await send(sqs, queue.url, { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: BUCKET });
    await send(sqs, queue.url, s3Event(BUCKET, [files.direct, files.encoded]));
    await publish(wrapped.TopicArn!, s3Event(BUCKET, [files.snsWrapped]), "Amazon S3 Notification");
    await publish(raw.TopicArn!, s3Event(BUCKET, [files.snsRaw]));
    await send(sqs, queue.url, eventBridgeEvent(BUCKET, files.eventBridge));
    await publish(wrapped.TopicArn!, {
      s3Bucket: BUCKET,
      s3ObjectKey: [files.trail1.key, files.trail2.key],
    });
    // A bucket this integration does not read: deleted without processing.
    await send(
      sqs,
      queue.url,
      s3Event("other-bucket", [{ key: "AWSLogs/x.json.gz", size: 1, etag: "e" }]),
    );

    const port = freePort();
    const cfgPath = config(dir.path, emu, queue.url, { port });
    const state = `${dir.path}/state/iota.db`;
    const serve = startServe(["--config", cfgPath, "--log-format", "json"], AWS_TEST_ENV);
    await serve.waitFor("7 objects", () => objectCount(state) === 7);
    await serve.waitFor("an empty queue", async () => (await queueDepth(sqs, queue.url)) === 0);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const report = await health.json();
    assert.equal(report.integrations[0].name, "org-trail");
    assert.equal(report.integrations[0].status, "healthy");
    const processed = 'iota_objects_total{integration="org-trail",result="processed"}';
    assert.equal(await metricValue(port, processed), 7);
    assert.equal(await metricValue(port, 'iota_events_total{integration="org-trail"}'), 8);
    assert.equal(
      await metricValue(port, 'iota_sqs_messages_total{integration="org-trail",result="test"}'),
      1,
    );
    assert.equal(
      await metricValue(port, 'iota_sqs_messages_total{integration="org-trail",result="deleted"}'),
      5,
    );
    assert.equal(
      await metricValue(port, 'iota_sqs_messages_total{integration="org-trail",result="ignored"}'),
      1,
    );
    const metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metricsText, /# TYPE iota_object_processing_seconds histogram/);
    assert.match(metricsText, /iota_sqs_receive_seconds_count\{integration="org-trail"\} \d+/);
    assert.match(metricsText, /iota_rule_worker_restarts_total 0/);

    // A redelivered notification of a committed object is deleted without re-processing.
    await send(sqs, queue.url, s3Event(BUCKET, [files.direct]));
    await serve.waitFor(
      "the redelivery to be skipped",
      async () =>
        await metricValue(port, 'iota_objects_total{integration="org-trail",result="skipped"}') ===
          1 && (await queueDepth(sqs, queue.url)) === 0,
    );
    await serve.waitFor("alert delivery", () => {
      try {
        return Deno.readTextFileSync(`${dir.path}/alerts.jsonl`).trim().split("\n").length === 3;
      } catch {
        return false;
      }
    });
    assert.equal(await serve.stop(), 0);
    const logs = serve.lines.map((l) => JSON.parse(l));
    assert.ok(logs.some((l) => l.msg.includes("s3:TestEvent") && l.level === "info"));
    assert.deepEqual(logs.filter((l) => l.level === "error"), []);
    assert.ok(logs.some((l) => l.msg === "iota serve stopped"));

    // The same files through iota process give the same objects, alerts and lake rows.
    const reference = await processReference(dir.path, emu.endpoint, BUCKET, [
      "--json",
      "--rules",
      GOOD_RULES,
    ]);
    const served = stateSummary(state);
    assert.deepEqual(served, stateSummary(reference.state));
    assert.equal(served.objects.length, 7);
    assert.equal(served.alerts.length, 3);
    const servedRows = await lakeRows(`${dir.path}/lake`);
    assert.deepEqual(servedRows, await lakeRows(reference.lake));
    assert.equal(servedRows.size, 8);
    const row = [...servedRows.values()].find((r) => r.eventName === "DescribeRegions")!;
    assert.deepEqual(row.p_source_file, {
      aws_s3_bucket: BUCKET,
      aws_s3_key: files.encoded.key,
    });

    // Events carry the integration as their source.
    const text = new TextDecoder().decode(
      (await new Deno.Command("sh", {
        args: ["-c", `zcat $(find ${dir.path}/lake -name '*.json.gz' | head -1)`],
        stdout: "piped",
      }).output()).stdout,
    );
    const first = JSON.parse(text.split("\n")[0]);
    assert.equal(first.p_source_id, "org-trail");
    assert.equal(first.p_source_label, "Organization trail");
    const sourceIds = readState(
      state,
      (db) =>
        (db.prepare("SELECT DISTINCT source_id FROM objects").all() as { source_id: string }[])
          .map((r) => r.source_id),
    );
    assert.deepEqual(sourceIds, ["org-trail"]);
    const sources = (await runIota(["status", "--json", "--state", state])).stdout;
    assert.equal(JSON.parse(sources).objects, 7);
  } finally {
    sqs.destroy();
    sns.destroy();
    await emu.stop();
    await dir.cleanup();
  }
});
