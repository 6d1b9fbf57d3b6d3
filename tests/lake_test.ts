import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { lakeFileName, partitionPath, tableName } from "../src/lake/layout.ts";
import { localLakeWriter } from "../src/lake/writer.ts";
import { tempDir } from "./_helpers/mod.ts";
import { LAKE_OBJECT, lakeEvent } from "./_helpers/lake_writer.ts";

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

Deno.test("partitionPath() uses the UTC hour of the event in Hive layout", () => {
  assert.equal(tableName("AWS.CloudTrailInsight"), "aws_cloudtrailinsight");
  assert.equal(
    partitionPath("AWS.CloudTrail", Date.UTC(2026, 0, 2, 3, 59, 59)),
    "logs/aws_cloudtrail/year=2026/month=01/day=02/hour=03",
  );
});

Deno.test("lakeFileName() is stable for one object and differs between objects", () => {
  assert.equal(lakeFileName(LAKE_OBJECT), lakeFileName({ ...LAKE_OBJECT }));
  assert.match(lakeFileName(LAKE_OBJECT), /^f_20261120T1005Z_x-[0-9a-f]{12}\.json\.gz$/);
  assert.notEqual(
    lakeFileName(LAKE_OBJECT),
    lakeFileName({ ...LAKE_OBJECT, uri: LAKE_OBJECT.uri + "2" }),
  );
});

Deno.test("localLakeWriter() writes one gzip JSON-lines file per hour and replaces it on re-run", async () => {
  const dir = await tempDir();
  try {
    const lake = localLakeWriter(dir.path);
    const h10 = Date.UTC(2026, 10, 20, 10, 5);
    const h11 = Date.UTC(2026, 10, 20, 11, 5);
    for (let run = 0; run < 2; run++) {
      const w = lake.begin(LAKE_OBJECT);
      await w.write([lakeEvent(0, h10), lakeEvent(1, h11)]);
      await w.write([lakeEvent(2, h10)]);
      assert.equal(await w.commit(), 2);
    }
    await lake.close();
    const files = await listFiles(dir.path);
    assert.equal(files.length, 2);
    assert.match(files[0], /year=2026\/month=11\/day=20\/hour=10\//);
    const lines = new TextDecoder().decode(gunzipSync(await Deno.readFile(files[0]))).trimEnd()
      .split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l).i), [0, 2]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("localLakeWriter() abort() leaves no file behind", async () => {
  const dir = await tempDir();
  try {
    const lake = localLakeWriter(dir.path);
    const w = lake.begin(LAKE_OBJECT);
    await w.write([lakeEvent(0, Date.UTC(2026, 10, 20, 10))]);
    await w.abort();
    await lake.close();
    assert.deepEqual(await listFiles(dir.path), []);
  } finally {
    await dir.cleanup();
  }
});
