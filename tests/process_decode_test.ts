import assert from "node:assert/strict";
import { decodeObject } from "../src/process/mod.ts";
import { encodeLakeLines } from "../src/lake/lines.ts";
import { listLocalObjects } from "../src/sources/local.ts";
import { JsonSplitter, T_NEED, T_VALUE } from "../src/process/_splitter.ts";
import {
  bytes,
  decodeAll,
  gzip,
  makeObject,
  makeRecord,
  streamOf,
  withoutP,
} from "./_helpers/process.ts";

const TRICKY = makeRecord(1, {
  requestParameters: {
    policyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}',
    text: 'braces } { ] [ and "quotes" and \\ backslashes \\" end',
    unicode: "caf\u00e9 \u2603 \ud83d\ude00",
    escapes: "tab\tnew\nline \u0000 \u001f",
    nested: [[[]], {}, [{ a: [1, { b: "}]" }] }]],
  },
});

function recordsFile(records: unknown[]): string {
  return JSON.stringify({ Records: records });
}

const THREE = [makeRecord(0), TRICKY, makeRecord(2)];

Deno.test("decodeObject() reads a Records file", async () => {
  const { events, bad, summary } = await decodeAll(recordsFile(THREE));
  assert.equal(events.length, 3);
  assert.deepEqual(bad, []);
  assert.deepEqual(summary, {
    kind: "cloudtrail",
    format: "records",
    records: 3,
    events: 3,
    badRecords: 0,
    error: null,
  });
  assert.deepEqual(events.map((e) => e.index), [0, 1, 2]);
  assert.deepEqual(events[1].record, TRICKY);
});

Deno.test("decodeObject() reads gzip detected by magic bytes, whatever the key", async () => {
  const data = await gzip(bytes(recordsFile(THREE)));
  const { events, summary } = await decodeAll(data, { key: "AWSLogs/plain-name.json" });
  assert.equal(summary.error, null);
  assert.deepEqual(events.map((e) => e.record), THREE);
});

Deno.test("decodeObject() handles records spanning 1-byte and 7-byte chunks", async () => {
  const plain = bytes(recordsFile(THREE));
  const zipped = await gzip(plain);
  for (const chunkSize of [1, 7, 64]) {
    for (const data of [plain, zipped]) {
      const { events, summary } = await decodeAll(data, { chunkSize });
      assert.equal(summary.error, null, `chunk ${chunkSize}`);
      assert.deepEqual(events.map((e) => e.record), THREE, `chunk ${chunkSize}`);
      assert.deepEqual(events.map((e) => withoutP(e.json)), THREE);
    }
  }
});

Deno.test("decodeObject() finds Records when other top-level keys come first or after", async () => {
  const text = '{"version": "x", "meta": {"Records": "not this", "list": [1, {"a": "]}"}]},' +
    ' "Events": 5, "Records": ' + JSON.stringify(THREE) +
    ', "after": {"deep": [[{"x": "{"}]]}, "tail": "\\"}"}';
  for (const chunkSize of [0, 1, 5]) {
    const { events, bad, summary } = await decodeAll(text, { chunkSize });
    assert.equal(summary.format, "records");
    assert.equal(summary.error, null);
    assert.deepEqual(bad, []);
    assert.deepEqual(events.map((e) => e.record), THREE);
  }
});

Deno.test("decodeObject() reads pretty-printed Records files", async () => {
  const { events, summary } = await decodeAll(JSON.stringify({ Records: THREE }, null, 2), {
    chunkSize: 13,
  });
  assert.equal(summary.error, null);
  assert.deepEqual(events.map((e) => withoutP(e.json)), THREE);
  for (const e of events) assert.ok(!e.json.includes("\n"));
});

Deno.test("decodeObject() reads a top-level array of records", async () => {
  const { events, summary } = await decodeAll(JSON.stringify(THREE), { chunkSize: 3 });
  assert.equal(summary.format, "array");
  assert.equal(summary.kind, "cloudtrail");
  assert.deepEqual(events.map((e) => e.record), THREE);
});

Deno.test("decodeObject() reads a single record object", async () => {
  const { events, summary } = await decodeAll(JSON.stringify(TRICKY, null, 1));
  assert.equal(summary.format, "single");
  assert.equal(summary.records, 1);
  assert.deepEqual(events.map((e) => e.record), [TRICKY]);
});

Deno.test("decodeObject() reads JSON lines, plain and gzipped", async () => {
  const lines = THREE.map((r) => JSON.stringify(r)).join("\n") + "\n";
  for (const data of [bytes(lines), await gzip(bytes(lines))]) {
    for (const chunkSize of [0, 1, 7]) {
      const { events, summary } = await decodeAll(data, { chunkSize });
      assert.equal(summary.format, "jsonl");
      assert.equal(summary.error, null);
      assert.deepEqual(events.map((e) => e.record), THREE);
    }
  }
});

Deno.test("decodeObject() reads CRLF JSON lines and concatenated pretty-printed objects", async () => {
  const crlf = THREE.map((r) => JSON.stringify(r)).join("\r\n");
  const pretty = THREE.map((r) => JSON.stringify(r, null, 2)).join("\n");
  for (const text of [crlf, pretty]) {
    const { events, summary } = await decodeAll(text, { chunkSize: 11 });
    assert.equal(summary.format, "jsonl");
    assert.equal(summary.error, null);
    assert.deepEqual(events.map((e) => e.record), THREE);
  }
});

Deno.test("decodeObject() keeps reading JSON lines after a broken line", async () => {
  const lines = [
    JSON.stringify(makeRecord(0)),
    JSON.stringify(makeRecord(1)).slice(0, 50), // cut inside a string
    JSON.stringify(makeRecord(2)),
    JSON.stringify(makeRecord(3)).slice(0, 100).replace(/"[^"]*$/, ""), // cut between tokens
    JSON.stringify(makeRecord(4)),
    "not json at all",
    '"a string"',
    JSON.stringify(makeRecord(7)),
  ].join("\n");
  const { events, bad, summary } = await decodeAll(lines, { chunkSize: 9 });
  assert.equal(summary.error, null);
  assert.deepEqual(events.map((e) => e.index), [0, 2, 4, 7]);
  assert.deepEqual(events.map((e) => e.record.eventID), ["evt-0", "evt-2", "evt-4", "evt-7"]);
  assert.deepEqual(bad.map((b) => b.index), [1, 3, 5, 6]);
  assert.equal(bad[0].reason, "record 1: line ends before its JSON value does");
  assert.equal(bad[1].reason, "record 3: line ends before its JSON value does");
  assert.match(bad[2].reason, /^record 5: not valid JSON: /);
  assert.equal(bad[3].reason, "record 6: not an object (string)");
  assert.equal(summary.records, 8);
});

Deno.test("decodeObject() reads aws cloudtrail lookup-events output", async () => {
  const text = JSON.stringify({
    Events: THREE.map((r, i) => ({
      EventId: `evt-${i}`,
      EventName: "ListUsers",
      CloudTrailEvent: JSON.stringify(r),
    })).concat([{ EventId: "x" } as never]),
    NextToken: "abc",
  });
  const { events, bad, summary } = await decodeAll(text, { chunkSize: 17 });
  assert.equal(summary.format, "lookup-events");
  assert.deepEqual(events.map((e) => e.record), THREE);
  assert.deepEqual(events.map((e) => withoutP(e.json)), THREE);
  assert.deepEqual(bad, [{
    index: 3,
    reason: "record 3: lookup-events item has no CloudTrailEvent string",
  }]);
});

Deno.test("decodeObject() unwraps EventBridge envelopes", async () => {
  const detailTypes = [
    "AWS API Call via CloudTrail",
    "AWS Console Sign In via CloudTrail",
    "AWS Service Event via CloudTrail",
  ];
  const envelopes = THREE.map((r, i) => ({
    version: "0",
    id: `id-${i}`,
    "detail-type": detailTypes[i],
    source: "aws.iam",
    account: "111122223333",
    time: "2026-11-20T10:05:00Z",
    region: "us-east-1",
    resources: [],
    detail: r,
  }));
  const single = await decodeAll(JSON.stringify(envelopes[1]));
  assert.deepEqual(single.events.map((e) => e.record), [TRICKY]);
  assert.deepEqual(withoutP(single.events[0].json), TRICKY);
  const array = await decodeAll(JSON.stringify(envelopes), { chunkSize: 7 });
  assert.deepEqual(array.events.map((e) => e.record), THREE);
  const lines = await decodeAll(envelopes.map((e) => JSON.stringify(e)).join("\n"));
  assert.deepEqual(lines.events.map((e) => e.record), THREE);
  assert.equal(lines.summary.format, "jsonl");
});

Deno.test("decodeObject() skips digest files by key without reading them", async () => {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull() {
      pulled++;
    },
    cancel() {
      cancelled = true;
    },
  });
  const key = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/x.json.gz";
  const gen = decodeObject(stream, makeObject(key));
  const step = await gen.next();
  assert.equal(step.done, true);
  assert.deepEqual(step.value, {
    kind: "digest",
    format: "digest",
    records: 0,
    events: 0,
    badRecords: 0,
    error: null,
  });
  assert.equal(cancelled, true);
  assert.ok(pulled <= 1);
});

Deno.test("decodeObject() recognizes a digest by content", async () => {
  const digest = {
    awsAccountId: "111122223333",
    digestStartTime: "2026-11-20T09:00:00Z",
    digestEndTime: "2026-11-20T10:00:00Z",
    digestS3Bucket: "org-trail",
    digestS3Object: "AWSLogs/x",
    logFiles: [{ s3Bucket: "org-trail", s3Object: "AWSLogs/y", hashValue: "ab" }],
    digestSignatureAlgorithm: "SHA256withRSA",
    previousDigestSignature: "cd",
  };
  const { events, bad, summary } = await decodeAll(await gzip(bytes(JSON.stringify(digest))), {
    key: "some/other/key.json.gz",
  });
  assert.deepEqual(events, []);
  assert.deepEqual(bad, []);
  assert.equal(summary.kind, "digest");
  assert.equal(summary.error, null);
});

Deno.test("decodeObject() marks Insight files by key and by eventType", async () => {
  const insight = makeRecord(0, { eventType: "AwsCloudTrailInsight", insightDetails: {} });
  const byType = await decodeAll(recordsFile([insight]));
  assert.equal(byType.summary.kind, "insight");
  assert.equal(byType.events[0].logType, "AWS.CloudTrailInsight");
  assert.equal(JSON.parse(byType.events[0].json).p_log_type, "AWS.CloudTrailInsight");

  const key = "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/x.json.gz";
  const byKey = await decodeAll(recordsFile([makeRecord(0)]), { key });
  assert.equal(byKey.summary.kind, "insight");
  assert.equal(byKey.events[0].logType, "AWS.CloudTrailInsight");

  const mixed = await decodeAll(recordsFile([insight, makeRecord(1)]));
  assert.equal(mixed.summary.kind, "cloudtrail");
  assert.deepEqual(mixed.events.map((e) => e.logType), ["AWS.CloudTrailInsight", "AWS.CloudTrail"]);
});

Deno.test("decodeObject() reports empty files as empty", async () => {
  for (const data of [bytes(""), bytes("  \n\t "), await gzip(bytes(""))]) {
    const { events, bad, summary } = await decodeAll(data);
    assert.deepEqual(events, []);
    assert.deepEqual(bad, []);
    assert.equal(summary.kind, "empty");
    assert.equal(summary.error, null);
  }
});

Deno.test("decodeObject() reads a Records file with no records as CloudTrail", async () => {
  const { summary } = await decodeAll('{"Records":[]}');
  assert.equal(summary.kind, "cloudtrail");
  assert.equal(summary.records, 0);
  assert.equal(summary.error, null);
});

Deno.test("decodeObject() skips a UTF-8 byte order mark", async () => {
  const data = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(recordsFile(THREE))]);
  const { events, summary } = await decodeAll(data, { chunkSize: 1 });
  assert.equal(summary.error, null);
  assert.equal(events.length, 3);
});

Deno.test("decodeObject() reports content that is not JSON as invalid", async () => {
  const garbage = await decodeAll("xyz garbage");
  assert.equal(garbage.summary.kind, "invalid");
  assert.equal(garbage.summary.error, "not JSON: unexpected byte 'x' at offset 0");
  const binary = await decodeAll(new Uint8Array([0x00, 0x01, 0x02]));
  assert.equal(binary.summary.error, "not JSON: unexpected byte 0x00 at offset 0");
  const scalar = await decodeAll('"just a string"');
  assert.equal(scalar.summary.kind, "invalid");
  assert.equal(scalar.summary.error, "not a JSON object or array: starts with '\"'");
});

Deno.test("decodeObject() reports corrupt gzip as invalid", async () => {
  const zipped = await gzip(bytes(recordsFile(THREE)));
  const corrupt = zipped.slice();
  for (let i = 12; i < corrupt.length - 8; i++) corrupt[i] ^= 0x5a;
  const { events, summary } = await decodeAll(corrupt);
  assert.deepEqual(events, []);
  assert.equal(summary.kind, "invalid");
  assert.match(summary.error ?? "", /^gzip data is corrupt: /);
});

Deno.test("decodeObject() keeps the records before a gzip truncation", async () => {
  const many = Array.from({ length: 3000 }, (_, i) => makeRecord(i, { n: crypto.randomUUID() }));
  const zipped = await gzip(bytes(recordsFile(many)));
  const { events, bad, summary } = await decodeAll(zipped.slice(0, zipped.length >> 1), {
    chunkSize: 4096,
  });
  assert.equal(summary.error, "gzip data is truncated");
  assert.equal(summary.kind, "invalid");
  assert.ok(events.length > 100, `${events.length} events`);
  assert.ok(events.length < many.length);
  assert.deepEqual(bad, []);
  assert.deepEqual(events.map((e) => e.record), many.slice(0, events.length));
});

Deno.test("decodeObject() keeps the records before a truncated JSON array", async () => {
  const text = recordsFile(THREE);
  const { events, summary } = await decodeAll(text.slice(0, text.length - 40));
  assert.deepEqual(events.map((e) => e.record), THREE.slice(0, 2));
  assert.equal(summary.kind, "invalid");
  assert.match(summary.error ?? "", /^JSON is truncated: unexpected end of data at offset \d+$/);

  const empty = await decodeAll('{"Records": [');
  assert.equal(empty.summary.kind, "invalid");
  assert.match(empty.summary.error ?? "", /^JSON is truncated/);
});

Deno.test("decodeObject() reports a misplaced byte inside the wrapper", async () => {
  const { events, summary } = await decodeAll(
    '{"Records": [' + JSON.stringify(makeRecord(0)) + "], oops}",
  );
  assert.equal(events.length, 1);
  assert.equal(summary.kind, "invalid");
  assert.match(summary.error ?? "", /^invalid JSON: unexpected byte 'o' at offset \d+$/);
});

Deno.test("decodeObject() reports bad records and keeps going", async () => {
  const text = '{"Records": [' + [
    JSON.stringify(makeRecord(0)),
    '"a string"',
    "42",
    "null",
    "[1, 2]",
    '{"eventName": "NoTime"}',
    JSON.stringify(makeRecord(6, { eventTime: "yesterday" })),
    JSON.stringify(makeRecord(7, { eventTime: 1795169099 })),
    '{"eventTime": "2026-11-20T10:04:59Z", "broken": tru}',
    JSON.stringify(makeRecord(9)),
  ].join(",") + "]}";
  const { events, bad, summary } = await decodeAll(text, { chunkSize: 5 });
  assert.deepEqual(events.map((e) => e.index), [0, 9]);
  assert.deepEqual(bad.slice(0, 7), [
    { index: 1, reason: "record 1: not an object (string)" },
    { index: 2, reason: "record 2: not an object (number)" },
    { index: 3, reason: "record 3: not an object (null)" },
    { index: 4, reason: "record 4: not an object (array)" },
    { index: 5, reason: "record 5: missing eventTime" },
    { index: 6, reason: 'record 6: unparseable eventTime "yesterday"' },
    { index: 7, reason: "record 7: eventTime is not a string (number)" },
  ]);
  assert.equal(bad[7].index, 8);
  assert.match(bad[7].reason, /^record 8: not valid JSON: /);
  assert.deepEqual(summary, {
    kind: "cloudtrail",
    format: "records",
    records: 10,
    events: 2,
    badRecords: 8,
    error: null,
  });
});

Deno.test("decodeObject() yields batches of at most batchSize", async () => {
  const many = Array.from({ length: 10 }, (_, i) => makeRecord(i));
  const text = '{"Records": [' + many.map((r) => JSON.stringify(r)).join(",") + ", 1, 2]}";
  const { batches, events, bad } = await decodeAll(text, { batchSize: 4 });
  assert.deepEqual(batches, [4, 4, 4]);
  assert.equal(events.length, 10);
  assert.equal(bad.length, 2);
});

Deno.test("decodeObject() reads concatenated gzip members", async () => {
  const a = await gzip(bytes(JSON.stringify(makeRecord(0)) + "\n"));
  const b = await gzip(bytes(JSON.stringify(makeRecord(1)) + "\n"));
  const { events, summary } = await decodeAll(new Uint8Array([...a, ...b]), { chunkSize: 10 });
  assert.equal(summary.error, null);
  assert.deepEqual(events.map((e) => e.record.eventID), ["evt-0", "evt-1"]);
});

Deno.test("decodeObject() reads a record larger than many chunks", async () => {
  const big = makeRecord(0, { blob: 'x{["\\'.repeat(200_000) });
  const { events, summary } = await decodeAll(recordsFile([big, makeRecord(1)]), {
    chunkSize: 1000,
  });
  assert.equal(summary.error, null);
  assert.deepEqual(events.map((e) => e.record), [big, makeRecord(1)]);
});

Deno.test("decodeObject() rethrows a failure to read the stream", async () => {
  for (const compressed of [false, true]) {
    const head = compressed ? (await gzip(bytes(recordsFile(THREE)))).slice(0, 20) : bytes("{");
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(head);
        } else {
          controller.error(new Error("connection reset"));
        }
      },
    });
    const gen = decodeObject(stream, makeObject());
    await assert.rejects(async () => {
      while (!(await gen.next()).done) { /* drain */ }
    }, /connection reset/);
  }
});

Deno.test("decodeObject() cancels the stream when the caller stops early", async () => {
  let cancelled = false;
  const data = bytes(recordsFile(Array.from({ length: 50 }, (_, i) => makeRecord(i))));
  const inner = streamOf(data, 100).getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await inner.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel() {
      cancelled = true;
    },
  });
  const gen = decodeObject(stream, makeObject(), { batchSize: 5 });
  const first = await gen.next();
  assert.equal(first.done, false);
  await gen.return(undefined as never);
  assert.equal(cancelled, true);
});

Deno.test("JsonSplitter keeps memory to the largest record, not the input", () => {
  const record = bytes(JSON.stringify(makeRecord(0)));
  const splitter = new JsonSplitter();
  splitter.push(bytes('{"Records":['));
  let values = 0;
  const chunk = new Uint8Array((record.length + 1) * 40);
  for (let i = 0; i < 40; i++) {
    chunk.set(record, i * (record.length + 1));
    chunk[i * (record.length + 1) + record.length] = 0x2c; // ,
  }
  const capacity = splitter.buf.length;
  for (let round = 0; round < 2000; round++) { // ~60 MB through the scanner
    for (;;) {
      const token = splitter.next();
      if (token === T_VALUE) values++;
      else if (token === T_NEED) break;
      else throw new Error(`unexpected token ${token}`);
    }
    splitter.push(chunk.subarray(0, 997));
    splitter.push(chunk.subarray(997));
  }
  assert.ok(values > 79_000, `${values} values`);
  assert.equal(splitter.buf.length, capacity);
});

interface ManifestFile {
  kind: string;
  records?: number;
  events?: number;
  bad_records?: number;
  error?: string;
  complete_records_before_cut?: number;
}

Deno.test("decodeObject() agrees with the fixture manifest", async () => {
  const root = new URL("./", import.meta.url);
  const manifest = JSON.parse(
    await Deno.readTextFile(new URL("manifests/fixtures.json", root)),
  ) as { files: Record<string, ManifestFile> };
  const expectedError: Record<string, RegExp> = {
    gzip: /^gzip data is corrupt: /,
    truncated: /^gzip data is truncated$/,
    "not json": /^not JSON: /,
  };
  for (const [name, want] of Object.entries(manifest.files)) {
    const path = name.startsWith("bad/")
      ? new URL(`bad_inputs/${name.slice(4)}`, root)
      : new URL(`fixtures/${name}`, root);
    const file = await Deno.open(path);
    const gen = decodeObject(file.readable, makeObject(name));
    let events = 0;
    let step = await gen.next();
    while (!step.done) {
      events += step.value.events.length;
      step = await gen.next();
    }
    const got = step.value;
    assert.equal(got.kind, want.kind, name);
    if (want.records !== undefined) assert.equal(got.records, want.records, name);
    if (want.events !== undefined) assert.equal(got.events, want.events, name);
    if (want.bad_records !== undefined) assert.equal(got.badRecords, want.bad_records, name);
    if (want.complete_records_before_cut !== undefined) {
      assert.equal(events, want.complete_records_before_cut, name);
    }
    assert.equal(events, got.events, name);
    if (want.error) assert.match(got.error ?? "", expectedError[want.error], name);
    else assert.equal(got.error, null, name);
  }
});

/** Every batch's lake lines of `data`, checked against encodeLakeLines() of its events. */
async function assertLakeLinesMatch(
  label: string,
  data: Uint8Array,
  options: { key?: string; chunkSize?: number; batchSize?: number } = {},
): Promise<number> {
  const gen = decodeObject(streamOf(data, options.chunkSize), makeObject(options.key), {
    batchSize: options.batchSize,
  });
  let lines = 0;
  for (let step = await gen.next(); !step.done; step = await gen.next()) {
    const { events, lake } = step.value;
    assert.deepEqual(lake, encodeLakeLines(events), label);
    lines += events.length;
  }
  return lines;
}

Deno.test("decodeObject() lake lines are byte for byte those of the events' JSON", async () => {
  const later = makeRecord(3, { eventTime: "2026-11-20T11:00:00Z" }); // another partition
  const insight = makeRecord(4, { eventType: "AwsCloudTrailInsight", insightDetails: {} });
  const withP = makeRecord(5, { p_row_id: "old", p_any_ip_addresses: ["1.2.3.4"] });
  const replacement = makeRecord(6, { note: "already \ufffd replaced" });
  const escaped = '{"eventTime":"2026-11-20T10:04:07Z","eventName":"Caf\\u00e9\\/x",' +
    '"n":1.50,"big":1e3,"sourceIPAddress":"198.51.100.9"}';
  const records = [makeRecord(0), TRICKY, later, insight, withP, replacement];
  const texts: [string, Uint8Array][] = [
    ["records", bytes(recordsFile(records))],
    ["pretty", bytes(JSON.stringify({ Records: records }, null, 2))],
    ["array", bytes(JSON.stringify(records))],
    ["jsonl crlf", bytes(records.map((r) => JSON.stringify(r) + "  ").join("\r\n"))],
    ["escaped", bytes(`{"Records":[${escaped}, ${escaped}]}`)],
    [
      "lookup",
      bytes(
        JSON.stringify({ Events: records.map((r) => ({ CloudTrailEvent: JSON.stringify(r) })) }),
      ),
    ],
    [
      "eventbridge",
      bytes(
        records.map((r) =>
          JSON.stringify({
            "detail-type": "AWS API Call via CloudTrail",
            source: "aws.iam",
            detail: r,
          })
        ).join("\n"),
      ),
    ],
  ];
  // A string with a byte that is not UTF-8: the line must carry the text's replacement.
  const invalid = bytes(`{"Records":[${JSON.stringify(makeRecord(8, { note: "@" }))}]}`);
  invalid[invalid.indexOf(0x40)] = 0xff;
  texts.push(["invalid utf-8", invalid]);
  texts.push(["gzip", await gzip(bytes(recordsFile(records)))]);
  for (const [label, data] of texts) {
    for (const chunkSize of [0, 1, 7]) {
      for (const batchSize of [1, 2, 100]) {
        const n = await assertLakeLinesMatch(`${label}/${chunkSize}/${batchSize}`, data, {
          chunkSize,
          batchSize,
        });
        assert.ok(n >= 1, `${label}: ${n} events`);
      }
    }
  }
  // The fixtures and bad inputs, as shipped.
  for (const dir of ["fixtures", "bad_inputs"]) {
    for (const obj of await listLocalObjects([new URL(`./${dir}`, import.meta.url).pathname])) {
      await assertLakeLinesMatch(obj.key, await Deno.readFile(obj.key), { key: obj.key });
    }
  }
});

Deno.test("decodeObject() lake buffers follow each batch, not the largest record seen", async () => {
  const huge = makeRecord(0, { requestParameters: { blob: "x".repeat(3_000_000) } });
  const records = [huge, ...Array.from({ length: 300 }, (_, i) => makeRecord(i + 1))];
  const gen = decodeObject(streamOf(bytes(recordsFile(records)), 65536), makeObject(), {
    batchSize: 10,
  });
  let parts = 0;
  for (let step = await gen.next(); !step.done; step = await gen.next()) {
    for (const { data } of step.value.lake) {
      parts++;
      // Every view's buffer is its own, with bounded slack, so a batch of small records
      // never keeps a buffer sized for the huge one alive downstream.
      const bound = Math.max(data.byteLength * 1.5, data.byteLength + 64 * 1024);
      assert.ok(data.buffer.byteLength <= bound, `${data.buffer.byteLength} > ${bound}`);
    }
  }
  assert.equal(parts, 31);
});
