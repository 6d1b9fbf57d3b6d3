/**
 * `iota serve` as a child process for end-to-end tests: its stderr collected
 * line by line, waits for a condition, SIGTERM, and read-only looks into the
 * state database and lake it wrote.
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { gunzipSync } from "node:zlib";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { AWS_TEST_ENV } from "./aws.ts";
import { runIota } from "./mod.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running `iota serve`. */
export interface ServeProcess {
  /** Every stderr line so far. */
  lines: string[];
  /** Resolves with the exit code. */
  status: Promise<number>;
  /** Sends a signal (SIGTERM by default). */
  kill(signal?: Deno.Signal): void;
  /** Waits until `check` holds, polling every 100 ms; throws after `timeoutMs`. */
  waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number>;
}

/** Starts `iota serve ARGS...` with `env`. */
export function startServe(args: string[], env: Record<string, string>): ServeProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--allow-net",
      "--allow-sys",
      MAIN,
      "serve",
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let partial = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const parts = (partial + value).split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    }
    if (partial) lines.push(partial);
  };
  const pumps = Promise.all([pump(child.stderr), pump(child.stdout)]);
  const status = (async () => {
    const s = await child.status;
    await pumps;
    return s.code;
  })();
  let exited = false;
  status.then(() => exited = true);
  const proc: ServeProcess = {
    lines,
    status,
    kill(signal = "SIGTERM") {
      if (!exited) child.kill(signal);
    },
    async waitFor(what, check, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (!(await check())) {
        if (exited) throw new Error(`serve exited while waiting for ${what}:\n${lines.join("\n")}`);
        if (Date.now() > until) {
          throw new Error(`timed out waiting for ${what}:\n${lines.join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() {
      proc.kill("SIGTERM");
      return status;
    },
  };
  return proc;
}

/** Runs `fn` over the state database opened read-only; null when it does not exist yet. */
export function readState<T>(path: string, fn: (db: DatabaseSync) => T): T | null {
  try {
    Deno.statSync(path);
  } catch {
    return null;
  }
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return fn(db);
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** Processed objects in a state database. */
export function objectCount(path: string): number {
  return readState(path, (db) => {
    const row = db.prepare("SELECT count(*) AS n FROM objects").get() as { n: number };
    return row.n;
  }) ?? 0;
}

/** Totals a state database holds, comparable between `serve` and `process` runs. */
export function stateSummary(path: string): {
  objects: { uri: string; events: number; kind: string; error: string | null }[];
  alerts: { rule: string; dedup: string; count: number; title: string }[];
} {
  return readState(path, (db) => ({
    objects: (db.prepare("SELECT uri, events, kind, error FROM objects ORDER BY uri").all() as {
      uri: string;
      events: number;
      kind: string;
      error: string | null;
    }[]).map((r) => ({ ...r })),
    alerts: (db.prepare(
      "SELECT rule_id, dedup, match_count, title FROM alerts WHERE fired = 1 ORDER BY rule_id, dedup",
    ).all() as { rule_id: string; dedup: string; match_count: number; title: string }[]).map((
      r,
    ) => ({ rule: r.rule_id, dedup: r.dedup, count: r.match_count, title: r.title })),
  }))!;
}

/** Lake rows by p_row_id, without the fields that differ between runs and sources. */
export async function lakeRows(lake: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (p.endsWith(".json.gz")) {
        const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(p)));
        for (const line of text.trimEnd().split("\n")) {
          const row = JSON.parse(line);
          const id = row.p_row_id as string;
          if (rows.has(id)) throw new Error(`row ${id} is in the lake twice`);
          delete row.p_parse_time;
          delete row.p_source_id;
          delete row.p_source_label;
          rows.set(id, { ...row, file: p.slice(lake.length) });
        }
      }
    }
  };
  await walk(lake);
  return rows;
}

/** Creates a queue (with options) and returns its URL and ARN. */
export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const q = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const a = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: q.QueueUrl!, arn: a.Attributes!.QueueArn! };
}

/** Messages waiting or in flight in a queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(a.Attributes!.ApproximateNumberOfMessages) +
    Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

/** Sends one message body to a queue. */
export async function send(sqs: SQSClient, url: string, body: unknown): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

/** An S3 event notification body for objects of `bucket`; keys are URL-encoded as S3 does. */
export function s3Event(
  bucket: string,
  objects: { key: string; size: number; etag: string }[],
): Record<string, unknown> {
  return {
    Records: objects.map((o) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-20T10:05:03.120Z",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: encodeURIComponent(o.key).replace(/%2F/g, "/").replace(/%20/g, "+"),
          size: o.size,
          eTag: o.etag,
          sequencer: "0065F1",
        },
      },
    })),
  };
}

/** An EventBridge "Object Created" event body (keys are not URL-encoded there). */
export function eventBridgeEvent(
  bucket: string,
  o: { key: string; size: number; etag: string },
): Record<string, unknown> {
  return {
    version: "0",
    id: crypto.randomUUID(),
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "111122223333",
    time: "2026-11-20T10:05:03Z",
    region: "us-east-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key: o.key, size: o.size, etag: o.etag },
      reason: "PutObject",
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A stand-in for STS AssumeRole on 127.0.0.1; answers with credentials expiring at `expiry()`. */
export function fakeSts(expiry: () => Date) {
  const requests: URLSearchParams[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const form = new URLSearchParams(await req.text());
    requests.push(form);
    const n = requests.length;
    return new Response(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE${n}</AccessKeyId>
      <SecretAccessKey>secret-${n}</SecretAccessKey>
      <SessionToken>token-${n}</SessionToken>
      <Expiration>${expiry().toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/iota-reader/iota-org</Arn>
      <AssumedRoleId>AROAEXAMPLE:iota-org</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r-${n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
      { headers: { "content-type": "text/xml" } },
    );
  });
  return {
    requests,
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    stop: () => server.shutdown(),
  };
}

/**
 * Runs `iota process` once over `s3://BUCKET/AWSLogs/` of the emulator at
 * `endpoint`, into `DIR/process/iota.db` and `DIR/process-lake`: the reference
 * a serve run over the same objects must match. Fails the test unless it exits 0.
 */
export async function processReference(
  dir: string,
  endpoint: string,
  bucket: string,
  args: string[],
): Promise<{ state: string; lake: string }> {
  const config = `${dir}/process.yaml`;
  Deno.writeTextFileSync(config, `aws: { region: us-east-1, endpoint: "${endpoint}" }\n`);
  const state = `${dir}/process/iota.db`;
  const lake = `${dir}/process-lake`;
  const proc = await runIota([
    "process",
    `s3://${bucket}/AWSLogs/`,
    "--config",
    config,
    "--state",
    state,
    "--lake",
    lake,
    ...args,
  ], { env: AWS_TEST_ENV });
  assert.equal(proc.code, 0, proc.stderr);
  return { state, lake };
}
