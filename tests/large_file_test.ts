/**
 * A generated ~300 MB (uncompressed) CloudTrail file goes through the whole
 * pipeline with every record accounted for, and the same alerts come out of
 * any file concurrency.
 */
import assert from "node:assert/strict";
import { createGunzip } from "node:zlib";
import { createReadStream } from "node:fs";
import { generateCorpus } from "../scripts/gen_corpus.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

/** Counts lines in every gzip file under `dir`, streaming. */
async function countLakeRows(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await countLakeRows(p);
    else {
      for await (const chunk of createReadStream(p).pipe(createGunzip())) {
        const bytes = chunk as Uint8Array;
        for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
      }
    }
  }
  return n;
}

Deno.test("iota process streams a 300 MB Records file: lake rows = events = records", async () => {
  const dir = await tempDir();
  try {
    // About 1.15 KB per generated record: 275K records ≈ 300 MB uncompressed.
    const { records, files } = await generateCorpus({
      out: `${dir.path}/big`,
      events: 275_000,
      files: 1,
      seed: 11,
    });
    const uncompressed = await countUncompressed(files[0]);
    assert.ok(uncompressed > 300 * 1024 * 1024 * 0.95, `file is ${uncompressed} bytes`);
    const res = await runIota([
      "process",
      files[0],
      "--json",
      "--state",
      `${dir.path}/iota.db`,
      "--lake",
      `${dir.path}/lake`,
    ]);
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout.trim().split("\n").pop()!);
    assert.equal(summary.events, records);
    assert.equal(summary.bad_records, 0);
    assert.equal(summary.bad_objects, 0);
    assert.equal(await countLakeRows(`${dir.path}/lake`), records);
  } finally {
    await dir.cleanup();
  }
});

async function countUncompressed(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path).pipe(createGunzip())) {
    n += (chunk as Uint8Array).length;
  }
  return n;
}

Deno.test("iota process gives the same alerts whatever the file concurrency", async () => {
  const dir = await tempDir();
  try {
    await generateCorpus({
      out: `${dir.path}/corpus`,
      events: 30_000,
      files: 12,
      seed: 5,
      suspiciousShare: 0.01,
    });
    const alerts = async (concurrency: number) => {
      const state = `${dir.path}/c${concurrency}/iota.db`;
      const res = await runIota([
        "process",
        `${dir.path}/corpus`,
        "--json",
        "--lake",
        "none",
        "--state",
        state,
        "--concurrency",
        String(concurrency),
      ]);
      assert.equal(res.code, 0, res.stderr);
      const list = await runIota([
        "alerts",
        "list",
        "--json",
        "--limit",
        "10000",
        "--state",
        state,
      ]);
      return list.stdout.trim().split("\n").map((l) => {
        const a = JSON.parse(l);
        return `${a.id} ${a.rule_id} ${a.count} ${a.first_event_time}`;
      }).sort();
    };
    const one = await alerts(1);
    assert.ok(one.length > 20, `expected alerts, got ${one.length}`);
    assert.deepEqual(await alerts(4), one);
  } finally {
    await dir.cleanup();
  }
});
