/**
 * Backfill planning, resume positions and the integration entry, without S3.
 */
import assert from "node:assert/strict";
import {
  parseDay,
  parseTrailRoot,
  planPrefixes,
  type PrefixLister,
  validateFilters,
} from "../src/sources/backfill_plan.ts";
import { PrefixTracker, readPrefixCheckpoint } from "../src/sources/backfill_resume.ts";
import { readBackfillIntegration } from "../src/sources/backfill_integration.ts";
import {
  DEFAULT_BYTES_PER_SEC,
  readThroughput,
  recordThroughput,
} from "../src/sources/backfill_throughput.ts";
import { localBackfillSource } from "../src/sources/backfill_source.ts";
import { openStore } from "../src/store/db.ts";
import type { SourceObjectRef } from "../src/process/types.ts";
import { UsageError } from "../src/errors.ts";
import { tempDir } from "./_helpers/mod.ts";

/** A lister over a fixed folder tree that records every call. */
function fakeLister(tree: Record<string, string[]>): PrefixLister & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    children(prefix) {
      calls.push(prefix);
      return Promise.resolve(tree[prefix] ?? []);
    },
  };
}

const TREE = {
  "AWSLogs/": ["o-abcdefghij", "999999999999", "not-an-account"],
  "AWSLogs/o-abcdefghij/": ["111122223333", "444455556666"],
  "AWSLogs/o-abcdefghij/111122223333/CloudTrail/": ["us-east-1", "eu-west-1"],
  "AWSLogs/o-abcdefghij/444455556666/CloudTrail/": ["us-east-1"],
  "AWSLogs/999999999999/CloudTrail/": ["ap-southeast-2", "README.txt"],
};

Deno.test("parseDay() accepts real UTC dates only", () => {
  assert.equal(parseDay("2026-11-20", "--start"), Date.UTC(2026, 10, 20));
  assert.equal(parseDay("2024-02-29", "--start"), Date.UTC(2024, 1, 29));
  for (const bad of ["2026-02-29", "2026-13-01", "20261120", "2026-11-20T00:00:00Z", "yesterday"]) {
    assert.throws(
      () => parseDay(bad, "--end"),
      (e: Error) =>
        e instanceof UsageError &&
        e.message === `Invalid --end "${bad}": expected a date as YYYY-MM-DD`,
    );
  }
});

Deno.test("validateFilters() names the bad account or region", () => {
  validateFilters(["111122223333"], ["us-east-1", "us-gov-west-1", "ap-southeast-2"]);
  assert.throws(() => validateFilters(["1111"], []), /Invalid --account "1111"/);
  assert.throws(() => validateFilters([], ["US-EAST-1"]), /Invalid --region "US-EAST-1"/);
});

Deno.test("parseTrailRoot() finds AWSLogs, an organization and an account in the prefix", () => {
  assert.deepEqual(parseTrailRoot(""), { base: "AWSLogs/", org: null, account: null });
  assert.deepEqual(parseTrailRoot("trails/prod"), {
    base: "trails/prod/AWSLogs/",
    org: null,
    account: null,
  });
  assert.deepEqual(parseTrailRoot("x/AWSLogs/o-abcdefghij/111122223333/"), {
    base: "x/AWSLogs/",
    org: "o-abcdefghij",
    account: "111122223333",
  });
  assert.throws(
    () => parseTrailRoot("AWSLogs/111122223333/CloudTrail/us-east-1/"),
    /Invalid backfill source prefix/,
  );
});

Deno.test("planPrefixes() discovers organizations, accounts and regions, day by day", async () => {
  const lister = fakeLister(TREE);
  const { prefixes, missingAccounts } = await planPrefixes(lister, {
    rootPrefix: "AWSLogs/",
    startDay: Date.UTC(2026, 10, 30),
    endDay: Date.UTC(2026, 11, 1),
    accounts: [],
    regions: [],
  });
  assert.deepEqual(missingAccounts, []);
  const days = ["2026/11/30", "2026/12/01"];
  assert.deepEqual(
    prefixes.map((p) => p.prefix),
    days.flatMap((d) => [
      `AWSLogs/999999999999/CloudTrail/ap-southeast-2/${d}/`,
      `AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/${d}/`,
      `AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/${d}/`,
      `AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-east-1/${d}/`,
    ]),
  );
  assert.deepEqual(prefixes[1], {
    prefix: "AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/11/30/",
    org: "o-abcdefghij",
    account: "111122223333",
    region: "eu-west-1",
    day: "2026-11-30",
  });
});

Deno.test("planPrefixes() lists nothing for what --account, --region and the prefix fix", async () => {
  const lister = fakeLister(TREE);
  const { prefixes, missingAccounts } = await planPrefixes(lister, {
    rootPrefix: "AWSLogs/o-abcdefghij/444455556666/",
    startDay: Date.UTC(2026, 10, 20),
    endDay: Date.UTC(2026, 10, 20),
    accounts: [],
    regions: ["us-west-2"],
  });
  assert.deepEqual(lister.calls, []);
  assert.deepEqual(missingAccounts, []);
  assert.deepEqual(prefixes.map((p) => p.prefix), [
    "AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-west-2/2026/11/20/",
  ]);

  const filtered = await planPrefixes(fakeLister(TREE), {
    rootPrefix: "",
    startDay: Date.UTC(2026, 10, 20),
    endDay: Date.UTC(2026, 10, 20),
    accounts: ["444455556666", "123456789012"],
    regions: [],
  });
  assert.deepEqual(filtered.missingAccounts, ["123456789012"]);
  assert.deepEqual(filtered.prefixes.map((p) => p.account), ["444455556666"]);
  await assert.rejects(
    planPrefixes(fakeLister(TREE), {
      rootPrefix: "",
      startDay: Date.UTC(2026, 10, 21),
      endDay: Date.UTC(2026, 10, 20),
      accounts: [],
      regions: [],
    }),
    /Invalid date range 2026-11-21 to 2026-11-20: --start is after --end/,
  );
});

function ref(key: string): SourceObjectRef {
  return {
    uri: `s3://b/${key}`,
    bucket: "b",
    key,
    size: 1,
    etag: "e",
    sourceId: "s3",
    sourceLabel: "s3://b",
  };
}

Deno.test("PrefixTracker keeps the position before a failed object and marks only clean, closed prefixes done", () => {
  const store = openStore(":memory:");
  try {
    const done: string[] = [];
    const tracker = new PrefixTracker(store, "s3://b", {
      closed: (p) => p !== "today/",
      onPrefixDone: (p) => done.push(p),
    });
    const a = ["p/1", "p/2", "p/3"].map((key) => ({ key, ref: ref(key) }));
    tracker.begin("p/", a);
    const commit = (o: { ref: SourceObjectRef }) =>
      store.transaction(() => tracker.onCommit(o.ref));
    commit(a[0]);
    tracker.onFinished(a[0].ref, { skipped: false });
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "p/"), { after: "p/1", done: false });
    tracker.onFinished(a[1].ref, null); // processing threw
    commit(a[2]);
    tracker.onFinished(a[2].ref, { skipped: false });
    // p/3 committed, but the position must not pass p/2, and the prefix is not done.
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "p/"), { after: "p/1", done: false });
    assert.deepEqual(done, ["p/"]);

    const b = ["q/1", "q/2"].map((key) => ({ key, ref: ref(key) }));
    tracker.begin("q/", b);
    tracker.onFinished(b[0].ref, { skipped: true }); // another run committed it
    commit(b[1]);
    tracker.onFinished(b[1].ref, { skipped: false });
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "q/"), { after: "q/2", done: true });

    tracker.begin("empty/", []);
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "empty/"), { after: null, done: true });
    const t = [{ key: "today/1", ref: ref("today/1") }];
    tracker.begin("today/", t);
    commit(t[0]);
    tracker.onFinished(t[0].ref, { skipped: false });
    // CloudTrail may still deliver into today's prefix: remember the position, never "done".
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "today/"), {
      after: "today/1",
      done: false,
    });
    // A read failure: finished, not skipped, never committed.
    const r = [{ key: "r/1", ref: ref("r/1") }];
    tracker.begin("r/", r);
    tracker.onFinished(r[0].ref, { skipped: false });
    assert.deepEqual(readPrefixCheckpoint(store, "s3://b", "r/"), { after: null, done: false });
  } finally {
    store.close();
  }
});

Deno.test("localBackfillSource() takes the root above AWSLogs and lists after a key", async () => {
  const dir = await tempDir();
  try {
    const day = `${dir.path}/AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/11/20`;
    await Deno.mkdir(day, { recursive: true });
    for (const n of ["a", "b", "c"]) await Deno.writeTextFile(`${day}/${n}.json.gz`, "x");
    await Deno.writeTextFile(`${day}/notes.txt`, "not a log");
    const source = localBackfillSource(`${dir.path}/AWSLogs/o-abcdefghij/`);
    assert.equal(source.location, dir.path);
    assert.equal(source.rootPrefix, "AWSLogs/o-abcdefghij/");
    assert.deepEqual(await source.children("AWSLogs/o-abcdefghij/"), ["111122223333"]);
    const prefix = "AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/11/20/";
    const listed = await source.list(prefix, `${prefix}a.json.gz`);
    assert.deepEqual(listed.map((o) => o.key), [`${prefix}b.json.gz`, `${prefix}c.json.gz`]);
    assert.equal(listed[0].ref.uri, `file://${day}/b.json.gz`);
    assert.deepEqual(await source.list("AWSLogs/none/"), []);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("readBackfillIntegration() reads one entry and names what is wrong with it", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/iota.yaml`;
    await Deno.writeTextFile(
      path,
      `integrations:
  - name: org-trail
    bucket: trail-bucket
    prefix: AWSLogs/o-abcdefghij/
    region: eu-west-1
    accounts: [111122223333, "044455556666"]
    queue_url: https://sqs.eu-west-1.amazonaws.com/111122223333/iota
  - name: broken
    prefix: AWSLogs/
`,
    );
    assert.deepEqual(await readBackfillIntegration(path, "org-trail"), {
      name: "org-trail",
      bucket: "trail-bucket",
      prefix: "AWSLogs/o-abcdefghij/",
      region: "eu-west-1",
      accounts: ["111122223333", "044455556666"],
      roleArn: null,
    });
    await assert.rejects(
      readBackfillIntegration(path, "broken"),
      /Invalid integration "broken" in ".*iota\.yaml": "bucket" is required/,
    );
    await assert.rejects(readBackfillIntegration(path, "nope"), /not in the integrations of/);
    await assert.rejects(readBackfillIntegration(null, "org-trail"), /give the config file/);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("readThroughput() gives the last measured run, else the documented default", () => {
  const store = openStore(":memory:");
  try {
    assert.deepEqual(readThroughput(store), {
      bytesPerSec: DEFAULT_BYTES_PER_SEC,
      eventsPerSec: null,
      source: "default",
      measuredAt: null,
    });
    // Too small a run to trust: the default stays.
    recordThroughput(store, { bytes: 1000, events: 10, seconds: 1 });
    assert.equal(readThroughput(store).source, "default");
    recordThroughput(store, { bytes: 50_000_000, events: 200_000, seconds: 10 });
    const measured = readThroughput(store);
    assert.equal(measured.source, "measured");
    assert.equal(measured.bytesPerSec, 5_000_000);
    assert.equal(measured.eventsPerSec, 20_000);
  } finally {
    store.close();
  }
});
