/**
 * Measures `iota serve` in SQS mode against `iota process` over the same S3
 * objects, on the in-process fauxqs emulator: a generated corpus is uploaded,
 * one S3 event notification per file is queued, and the time from start to
 * an empty queue with every object committed is compared with one
 * `iota process s3://…` run (both with the bundled rules and a local lake).
 *
 * Usage:
 *   deno run -A scripts/bench_serve.ts [--events 200000] [--files 40]
 * @module
 */
import { startFauxqs } from "fauxqs";
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DatabaseSync } from "node:sqlite";
import { relative } from "node:path";
import { generateCorpus } from "./gen_corpus.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}

function iota(args: string[], stdio: "piped" | "null" = "null") {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--max-semi-space-size=8", MAIN, ...args],
    env: ENV,
    stdout: stdio,
    stderr: stdio,
  });
}

function committed(state: string): number {
  try {
    const db = new DatabaseSync(state, { readOnly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM objects").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

const events = flag("--events", 200_000);
const files = flag("--files", 40);
const root = await Deno.makeTempDir({ prefix: "iota-bench-serve-" });
const server = await startFauxqs({ port: 0, logger: false, host: "127.0.0.1" });
const endpoint = `http://127.0.0.1:${server.port}`;
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const s3 = new S3Client({ ...config, forcePathStyle: true });
const sqs = new SQSClient(config);
try {
  const corpus = await generateCorpus({ out: `${root}/corpus`, events, files });
  await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
  for (const path of corpus.files) {
    await s3.send(
      new PutObjectCommand({
        Bucket: "bench",
        Key: relative(`${root}/corpus`, path),
        Body: await Deno.readFile(path),
      }),
    );
  }
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: "bench" }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "bench" }));
  for (const o of listed.Contents ?? []) {
    const body = {
      Records: [{
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: "bench" }, object: { key: o.Key, size: o.Size, eTag: o.ETag } },
      }],
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: JSON.stringify(body) }),
    );
  }
  Deno.writeTextFileSync(
    `${root}/iota.yaml`,
    `state: ./serve/iota.db
lake: ./serve-lake
aws: { region: us-east-1, endpoint: "${endpoint}" }
integrations:
  - { name: bench, bucket: bench, prefix: AWSLogs/, queue_url: "${queue.QueueUrl}" }
outputs: [{ name: archive, type: file, path: ./alerts.jsonl }]
metrics: none
`,
  );
  Deno.writeTextFileSync(`${root}/p.yaml`, `aws: { region: us-east-1, endpoint: "${endpoint}" }\n`);

  const started = performance.now();
  const child = iota(["serve", "--config", `${root}/iota.yaml`]).spawn();
  while (true) {
    const a = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    const depth = Number(a.Attributes!.ApproximateNumberOfMessages) +
      Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible);
    if (depth === 0 && committed(`${root}/serve/iota.db`) === corpus.files.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const serveSecs = (performance.now() - started) / 1000;
  child.kill("SIGTERM");
  const exit = await child.status;

  const p0 = performance.now();
  const proc = await iota([
    "process",
    "s3://bench/AWSLogs/",
    "--config",
    `${root}/p.yaml`,
    "--json",
    "--state",
    `${root}/process/iota.db`,
    "--lake",
    `${root}/process-lake`,
  ], "piped").output();
  const processSecs = (performance.now() - p0) / 1000;
  const summary = new TextDecoder().decode(proc.stdout).trim().split("\n").pop();
  const rate = (s: number) => Math.round(corpus.records / s);
  console.log(JSON.stringify({
    files: corpus.files.length,
    events: corpus.records,
    serve_seconds_to_empty_queue: Math.round(serveSecs * 100) / 100,
    serve_events_per_sec: rate(serveSecs),
    serve_exit_code: exit.code,
    process_seconds: Math.round(processSecs * 100) / 100,
    process_events_per_sec: rate(processSecs),
    process_summary: summary ? JSON.parse(summary) : null,
  }));
} finally {
  s3.destroy();
  sqs.destroy();
  await server.stop();
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
