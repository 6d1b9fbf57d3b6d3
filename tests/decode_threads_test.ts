/**
 * Decoding on decode threads gives exactly what decoding on the pipeline's
 * own thread gives: the same lake files, alerts, rule errors, object rows and
 * summary, for the fixture tree plus bad inputs.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { DatabaseSync } from "node:sqlite";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { bytes, gzip, makeObject, makeRecord, streamOf } from "./_helpers/process.ts";
import { decodeObject } from "../src/process/decode.ts";
import { decodeOnThread, stopIdleDecodeThreads } from "../src/process/threads.ts";
import { type EncodedLines, encodeLakeLines } from "../src/lake/lines.ts";
import { Prefilter } from "../src/rules/prefilter.ts";
import type { BadRecord, DecodeSummary, NormalizedEvent } from "../src/process/types.ts";
import type { RoutedEvent } from "../src/rules/pool.ts";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;
const BAD_INPUTS = new URL("./bad_inputs", import.meta.url).pathname;
const FAULTY_RULES = new URL("./rules/faulty", import.meta.url).pathname;
/** p_parse_time and its value, also inside escaped JSON (alert sample events). */
const PARSE_TIME = /p_parse_time\\?":\\?"[0-9-]+ [0-9:.]+/g;

/** Every lake file by relative path, as text with p_parse_time (the run's clock) blanked. */
async function lakeFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else {
        const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(p)));
        files.set(p.slice(root.length), text.replace(PARSE_TIME, "p_parse_time"));
      }
    }
  };
  await walk(root);
  return files;
}

/** Rows of the state tables that results live in, without ids and wall-clock times. */
function stateRows(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const clean = (rows: Record<string, unknown>[], drop: string[]) =>
      rows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) {
          if (!drop.includes(k)) {
            out[k] = typeof v === "string" ? v.replace(PARSE_TIME, "p_parse_time") : v;
          }
        }
        return out;
      });
    return {
      objects: clean(db.prepare("SELECT * FROM objects ORDER BY uri").all(), ["processed_at"]),
      alerts: clean(
        db.prepare("SELECT * FROM alerts ORDER BY rule_id, dedup, window_start").all(),
        ["id", "created_at", "updated_at"],
      ),
      ruleErrors: clean(
        db.prepare("SELECT * FROM rule_errors ORDER BY rule_id, row_id, error_type").all(),
        ["id", "created_at"],
      ),
    };
  } finally {
    db.close();
  }
}

Deno.test("iota process gives the same lake, alerts, rule errors and summary on decode threads as without", async () => {
  const dir = await tempDir();
  try {
    // The fixture tree plus bad objects: corrupt and truncated gzip, not JSON, bad records.
    await Deno.mkdir(`${dir.path}/in`);
    for (const src of [FIXTURES, BAD_INPUTS]) {
      await new Deno.Command("cp", { args: ["-r", src, `${dir.path}/in/`] }).output();
    }
    const run = async (name: string, extra: string[]) => {
      const res = await runIota([
        "process",
        `${dir.path}/in`,
        "--json",
        "--state",
        `${dir.path}/${name}/iota.db`,
        "--lake",
        `${dir.path}/${name}/lake`,
        "--rules",
        new URL("../rules", import.meta.url).pathname,
        "--rules",
        FAULTY_RULES,
        // Small batches: many batches per object, so order across batches is exercised.
        "--batch-size",
        "7",
        ...extra,
      ]);
      const lines = res.stdout.trim().split("\n");
      const summary = JSON.parse(lines[lines.length - 1]);
      delete summary.seconds;
      return { code: res.code, summary, printed: lines.length - 1 };
    };
    const here = await run("here", ["--no-decode-threads"]);
    const threads = await run("threads", []);

    assert.equal(threads.code, here.code);
    assert.deepEqual(threads.summary, here.summary);
    assert.ok(here.summary.events > 100, "the fixtures hold events");
    assert.ok(here.summary.alerts > 0 && here.summary.rule_errors > 0);
    assert.ok(here.summary.bad_objects > 0 && here.summary.bad_records > 0);
    assert.ok(here.summary.events_to_rules > 0);
    assert.equal(threads.printed, here.printed);

    const lakeHere = await lakeFiles(`${dir.path}/here/lake`);
    const lakeThreads = await lakeFiles(`${dir.path}/threads/lake`);
    assert.ok(lakeHere.size > 3);
    assert.deepEqual([...lakeThreads.keys()].sort(), [...lakeHere.keys()].sort());
    for (const [path, text] of lakeHere) assert.equal(lakeThreads.get(path), text, path);

    assert.deepEqual(
      stateRows(`${dir.path}/threads/iota.db`),
      stateRows(`${dir.path}/here/iota.db`),
    );
  } finally {
    await dir.cleanup();
  }
});

interface Collected {
  events: NormalizedEvent[];
  /** Lines each lake partition gets, in the order the lake writer gets them. */
  lake: Map<string, string>;
  bad: BadRecord[];
  summary: DecodeSummary;
}

function addParts(lake: Map<string, string>, parts: readonly EncodedLines[]): void {
  for (const p of parts) {
    const key = `${p.logType} ${p.hourStart}`;
    lake.set(key, (lake.get(key) ?? "") + new TextDecoder().decode(p.data));
  }
}

async function onMainThread(data: Uint8Array, key: string, parseTime: Date): Promise<Collected> {
  const gen = decodeObject(streamOf(data, 1000), makeObject(key), { batchSize: 5, parseTime });
  const events: NormalizedEvent[] = [];
  const lake = new Map<string, string>();
  const bad: BadRecord[] = [];
  for (let r = await gen.next();; r = await gen.next()) {
    if (r.done) return { events, lake, bad, summary: r.value };
    events.push(...r.value.events);
    addParts(lake, encodeLakeLines(r.value.events));
    bad.push(...r.value.bad);
  }
}

Deno.test("decodeOnThread() yields the lake bytes, routed events, bad records and summary of decodeObject()", async () => {
  const parseTime = new Date(Date.UTC(2026, 10, 20, 12));
  const records = [
    makeRecord(0, { eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com" }),
    makeRecord(1, { eventName: "DescribeInstances", eventTime: "2026-11-20T11:59:59Z" }),
    { eventName: "NoTime" },
    makeRecord(2, { eventName: "ConsoleLogin", eventSource: "signin.amazonaws.com" }),
    makeRecord(3, { eventType: "AwsCloudTrailInsight", eventTime: "2026-11-21T03:00:00Z" }),
    ...Array.from({ length: 30 }, (_, i) => makeRecord(4 + i, { eventName: `Get${i % 4}` })),
  ];
  const prefilter = new Prefilter([
    { logTypes: ["AWS.CloudTrail"], eventNames: new Set(["StopLogging"]), eventSources: null },
    {
      logTypes: ["AWS.CloudTrail"],
      eventNames: null,
      eventSources: new Set(["signin.amazonaws.com"]),
    },
    { logTypes: ["AWS.CloudTrailInsight"], eventNames: null, eventSources: null },
  ]);
  const inputs: [string, Uint8Array][] = [
    ["a/records.json.gz", await gzip(bytes(JSON.stringify({ Records: records })))],
    ["a/lines.json", bytes(records.map((r) => JSON.stringify(r)).join("\n") + "\n")],
    ["a/truncated.json", bytes(JSON.stringify({ Records: records }).slice(0, 900))],
    ["a/CloudTrail-Digest/x.json.gz", await gzip(bytes("{}"))],
  ];
  try {
    for (const [key, data] of inputs) {
      const want = await onMainThread(data, key, parseTime);
      const gen = decodeOnThread(streamOf(data, 1000), makeObject(key), {
        batchSize: 5,
        parseTime,
        prefilter: prefilter.toSpec(),
      });
      const lake = new Map<string, string>();
      const routed: RoutedEvent[] = [];
      const bad: BadRecord[] = [];
      let events = 0;
      let r = await gen.next();
      for (; !r.done; r = await gen.next()) {
        addParts(lake, r.value.lake);
        routed.push(...r.value.routed);
        bad.push(...r.value.bad);
        events += r.value.events;
      }
      assert.deepEqual(r.value, want.summary, key);
      assert.deepEqual(bad, want.bad, key);
      assert.equal(events, want.events.length, key);
      // Each lake partition gets the same lines in the same order.
      assert.deepEqual(lake, want.lake, key);
      assert.ok(want.lake.size > 0 || key.includes("Digest"), key);
      const wantRouted = want.events.flatMap((ev) => {
        const targets = prefilter.candidates(ev.logType, ev.eventName, ev.eventSource);
        return targets.length
          ? [{ rowId: ev.rowId, eventTime: ev.eventTime, json: ev.json, targets: [...targets] }]
          : [];
      });
      assert.deepEqual(routed, wantRouted, key);
    }
  } finally {
    await stopIdleDecodeThreads();
  }
});

Deno.test("decodeOnThread() throws the stream's own error when reading fails, and the thread takes the next object", async () => {
  const readFailure = new Error("connection reset");
  const records = Array.from({ length: 40 }, (_, i) => JSON.stringify(makeRecord(i))).join("\n");
  const data = bytes(records + "\n");
  let sent = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 2000) return controller.error(readFailure);
      controller.enqueue(data.slice(sent, sent + 1000));
      sent += 1000;
    },
  });
  try {
    const gen = decodeOnThread(failing, makeObject("a/failing.json"), { prefilter: null });
    let events = 0;
    await assert.rejects(async () => {
      for (let r = await gen.next(); !r.done; r = await gen.next()) events += r.value.events;
    }, (err) => err === readFailure);
    assert.ok(events < 40);

    // Given up after one batch: the rest of the object is not needed, and the thread is free.
    const early = decodeOnThread(streamOf(data, 500), makeObject("a/early.json"), {
      batchSize: 5,
      prefilter: null,
    });
    const first = await early.next();
    assert.equal(first.done, false);
    await early.return(undefined as never);

    const whole = decodeOnThread(streamOf(data, 700), makeObject("a/whole.json"), {
      prefilter: null,
    });
    let r = await whole.next();
    let total = 0;
    for (; !r.done; r = await whole.next()) total += r.value.events;
    assert.equal(total, 40);
    assert.equal(r.value.events, 40);
  } finally {
    await stopIdleDecodeThreads();
  }
});
