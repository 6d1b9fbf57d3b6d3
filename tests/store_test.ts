import assert from "node:assert/strict";
import { openStore } from "../src/store/db.ts";
import {
  clearCheckpoints,
  getCheckpoint,
  listCheckpoints,
  setCheckpoint,
} from "../src/store/checkpoints.ts";
import { MIGRATIONS } from "../src/store/migrations.ts";
import { isObjectProcessed, markObjectProcessed, objectTotals } from "../src/store/objects.ts";
import { recordRuleErrors, summarizeRuleErrors } from "../src/store/rule_errors.ts";
import { tempDir } from "./_helpers/mod.ts";

Deno.test("openStore() creates the file in WAL mode and applies every migration once", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/nested/iota.db`;
    const a = openStore(path);
    const mode = a.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    assert.equal(mode.journal_mode, "wal");
    a.close();
    const b = openStore(path);
    const rows = b.db.prepare("SELECT version FROM schema_migrations").all() as {
      version: number;
    }[];
    assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
    b.close();
  } finally {
    await dir.cleanup();
  }
});

Deno.test("openStore() refuses a database from a newer iota", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/iota.db`;
    const s = openStore(path);
    s.db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 0)").run();
    s.close();
    assert.throws(() => openStore(path), /schema version 999 is newer/);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("transaction() rolls back every write when the function throws", () => {
  const s = openStore(":memory:");
  const rec = {
    uri: "file:///a.json.gz",
    etag: "1-2",
    size: 1,
    sourceId: "local",
    kind: "cloudtrail" as const,
    records: 3,
    events: 3,
    badRecords: 0,
    error: null,
    lakeFiles: 1,
    firstEventTime: 1,
    lastEventTime: 2,
    processedAt: 3,
  };
  assert.throws(() =>
    s.transaction(() => {
      markObjectProcessed(s, rec);
      throw new Error("boom");
    })
  );
  assert.equal(isObjectProcessed(s, rec.uri, rec.etag), false);
  s.transaction(() => markObjectProcessed(s, rec));
  assert.equal(isObjectProcessed(s, rec.uri, rec.etag), true);
  assert.equal(isObjectProcessed(s, rec.uri, "other-etag"), false);
  assert.deepEqual(objectTotals(s), { objects: 1, events: 3, badRecords: 0, failed: 0 });
  s.close();
});

Deno.test("recordRuleErrors() counts an error of a rule on an event once, even when retried", () => {
  const s = openStore(":memory:");
  const errs = [
    { ruleId: "R1", rowId: "a", type: "ValueError", message: "bad", traceback: "r.py:3 in rule" },
    { ruleId: "R1", rowId: "b", type: "ValueError", message: "bad", traceback: null },
    { ruleId: "R2", rowId: "a", type: "timeout", message: "slow", traceback: null },
  ];
  assert.equal(recordRuleErrors(s, errs, "file:///x"), 3);
  assert.equal(recordRuleErrors(s, errs, "file:///x"), 0);
  const summary = summarizeRuleErrors(s);
  assert.deepEqual(summary.map((e) => [e.ruleId, e.type, e.count]), [
    ["R1", "ValueError", 2],
    ["R2", "timeout", 1],
  ]);
  s.close();
});

Deno.test("checkpoints are per scope, updated in place, and roll back with their transaction", async () => {
  const dir = await tempDir();
  try {
    const store = openStore(`${dir.path}/iota.db`);
    setCheckpoint(store, "poll", "bucket/AWSLogs/", "AWSLogs/a.json.gz");
    setCheckpoint(store, "poll", "bucket/AWSLogs/", "AWSLogs/b.json.gz");
    setCheckpoint(store, "backfill", "bucket/AWSLogs/", "done");
    assert.equal(getCheckpoint(store, "poll", "bucket/AWSLogs/"), "AWSLogs/b.json.gz");
    assert.equal(getCheckpoint(store, "poll", "missing"), undefined);
    assert.throws(() =>
      store.transaction(() => {
        setCheckpoint(store, "poll", "bucket/AWSLogs/", "AWSLogs/c.json.gz");
        throw new Error("crash before commit");
      })
    );
    assert.equal(getCheckpoint(store, "poll", "bucket/AWSLogs/"), "AWSLogs/b.json.gz");
    assert.deepEqual([...listCheckpoints(store, "backfill")], [["bucket/AWSLogs/", "done"]]);
    clearCheckpoints(store, "poll");
    assert.equal(listCheckpoints(store, "poll").size, 0);
    assert.equal(getCheckpoint(store, "backfill", "bucket/AWSLogs/"), "done");
    store.close();
  } finally {
    await dir.cleanup();
  }
});
