/**
 * The S3 lake writer (`--lake s3://bucket/prefix`) on the fauxqs emulator.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { s3LakeWriter } from "../src/lake/s3_writer.ts";
import { AWS_TEST_ENV, startEmulator } from "./_helpers/aws.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { writeTree } from "./_helpers/cloudtrail.ts";
import { createS3Client } from "../src/sources/s3.ts";
import { LAKE_OBJECT, lakeEvent } from "./_helpers/lake_writer.ts";

async function keys(s3: S3Client, bucket: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

async function lines(s3: S3Client, bucket: string, key: string): Promise<string[]> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = await res.Body!.transformToByteArray();
  return new TextDecoder().decode(gunzipSync(body)).trimEnd().split("\n");
}

async function writerFor(endpoint: string, prefix: string) {
  for (const [k, v] of Object.entries(AWS_TEST_ENV)) Deno.env.set(k, v);
  const client = await createS3Client({ region: "us-east-1", endpoint });
  return s3LakeWriter(client, { bucket: "lake", prefix });
}

Deno.test("s3LakeWriter() writes one gzip file per hour and replaces it when the object is re-processed", async () => {
  const emu = await startEmulator();
  try {
    await emu.s3.send(new CreateBucketCommand({ Bucket: "lake" }));
    const lake = await writerFor(emu.endpoint, "iota/");
    const h10 = Date.UTC(2026, 10, 20, 10, 5);
    const h11 = Date.UTC(2026, 10, 20, 11, 5);
    for (const run of [1, 2]) {
      const w = lake.begin(LAKE_OBJECT);
      await w.write([lakeEvent(0, h10, { run }), lakeEvent(1, h11, { run })]);
      await w.write([lakeEvent(2, h10, { run })]);
      assert.equal(await w.commit(), 2);
    }
    const aborted = lake.begin({
      ...LAKE_OBJECT,
      uri: LAKE_OBJECT.uri + "-other",
      key: LAKE_OBJECT.key + "-other",
    });
    await aborted.write([lakeEvent(9, h10)]);
    await aborted.abort();
    await lake.close();

    const written = await keys(emu.s3, "lake");
    assert.equal(written.length, 2);
    assert.match(
      written[0],
      /^iota\/logs\/aws_cloudtrail\/year=2026\/month=11\/day=20\/hour=10\/f_20261120T1005Z_x-[0-9a-f]{12}\.json\.gz$/,
    );
    const rows = (await lines(emu.s3, "lake", written[0])).map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.i, r.run]), [[0, 2], [2, 2]]);
  } finally {
    await emu.stop();
  }
});

Deno.test("s3LakeWriter() uploads a partition larger than one part as a multipart upload", async () => {
  const emu = await startEmulator();
  try {
    await emu.s3.send(new CreateBucketCommand({ Bucket: "lake" }));
    const lake = await writerFor(emu.endpoint, "");
    const h10 = Date.UTC(2026, 10, 20, 10, 5);
    const w = lake.begin(LAKE_OBJECT);
    // Random text barely compresses: 1200 × 8 KB of base64 is ~7 MB gzipped, two parts.
    const noise = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(6144))));
    for (let b = 0; b < 12; b++) {
      await w.write(
        Array.from({ length: 100 }, (_, i) => lakeEvent(b * 100 + i, h10, { noise: noise() })),
      );
    }
    assert.equal(await w.commit(), 1);
    await lake.close();
    const [key] = await keys(emu.s3, "lake");
    assert.match(key, /^logs\/aws_cloudtrail\//);
    const head = await emu.s3.send(new HeadObjectCommand({ Bucket: "lake", Key: key }));
    assert.ok((head.ContentLength ?? 0) > 5 * 1024 * 1024, `size ${head.ContentLength}`);
    assert.match(head.ETag ?? "", /-2"?$/, `ETag ${head.ETag} is not a two-part upload's`);
    const rows = await lines(emu.s3, "lake", key);
    assert.equal(rows.length, 1200);
    assert.deepEqual(rows.map((l) => JSON.parse(l).i), Array.from({ length: 1200 }, (_, i) => i));
  } finally {
    await emu.stop();
  }
});

Deno.test("iota process --lake s3://… writes the lake to S3 and a re-run replaces it", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    await emu.s3.send(new CreateBucketCommand({ Bucket: "lake" }));
    const { events } = await writeTree(`${dir.path}/in`);
    await Deno.writeTextFile(
      `${dir.path}/iota.yaml`,
      `aws:\n  region: us-east-1\n  endpoint: ${emu.endpoint}\n`,
    );
    const run = (state: string) =>
      runIota([
        "process",
        `${dir.path}/in`,
        "--config",
        `${dir.path}/iota.yaml`,
        "--state",
        `${dir.path}/${state}.db`,
        "--lake",
        "s3://lake/iota",
        "--json",
      ], { env: AWS_TEST_ENV });
    const first = await run("a");
    assert.equal(first.code, 0, first.stderr);
    const after1 = await keys(emu.s3, "lake");
    // A fresh state processes every object again: files are replaced, not added.
    const second = await run("b");
    assert.equal(second.code, 0, second.stderr);
    const after2 = await keys(emu.s3, "lake");
    assert.deepEqual(after2, after1);
    let total = 0;
    for (const k of after2) total += (await lines(emu.s3, "lake", k)).length;
    assert.equal(total, events);
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});
