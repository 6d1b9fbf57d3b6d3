/**
 * `iota integrations discover` on the fauxqs emulator with an organization
 * trail of several accounts and regions next to a standalone account trail:
 * every organization, account and region with its newest day and file, found
 * with delimiter listings only.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { discoverTrails } from "../src/integrations/discover.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";
import { AWS_TEST_ENV, putObjects, startEmulator } from "./_helpers/aws.ts";

const BUCKET = "org-trail";
const ORG = "o-exampleorg1";
const body = gzipSync(JSON.stringify({ Records: [] }));

/** A delivery file key of the organization trail (org null: a standalone account trail). */
function key(org: string | null, account: string, region: string, day: string, hhmm: string) {
  const [y, m, d] = day.split("-");
  return `AWSLogs/${org ? org + "/" : ""}${account}/CloudTrail/${region}/${y}/${m}/${d}/` +
    `${account}_CloudTrail_${region}_${y}${m}${d}T${hhmm}Z_${
      crypto.randomUUID().slice(0, 8)
    }.json.gz`;
}

const LAYOUT: [string | null, string, string, string, string][] = [
  [ORG, "111122223333", "us-east-1", "2026-10-31", "2355"],
  [ORG, "111122223333", "us-east-1", "2026-11-20", "0905"],
  [ORG, "111122223333", "us-east-1", "2026-11-20", "1015"],
  [ORG, "111122223333", "eu-west-1", "2026-11-19", "2310"],
  [ORG, "444455556666", "us-east-1", "2025-12-31", "0000"],
  [ORG, "444455556666", "us-east-1", "2026-01-02", "0130"],
  [ORG, "444455556666", "ap-southeast-2", "2026-11-20", "0440"],
  [ORG, "777788889999", "us-west-2", "2026-11-18", "1200"],
  [null, "123456789012", "us-east-1", "2026-11-20", "1100"],
];

async function seed(s3: Parameters<typeof putObjects>[0]): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  for (const [org, account, region, day, hhmm] of LAYOUT) {
    files[key(org, account, region, day, hhmm)] = body;
  }
  // Digests and an unrelated folder are not trails of events.
  files[`AWSLogs/${ORG}/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/d.json.gz`] = body;
  files["exports/readme.txt"] = new TextEncoder().encode("not a trail");
  await putObjects(s3, BUCKET, files);
}

Deno.test("discoverTrails() finds every organization, account and region with its newest file, by delimiter listings", async () => {
  const emu = await startEmulator();
  try {
    await seed(emu.s3);
    const listings: { Prefix?: string; Delimiter?: string }[] = [];
    emu.s3.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === "ListObjectsV2Command") {
          listings.push(args.input as { Prefix?: string; Delimiter?: string });
        }
        return next(args);
      },
      { step: "initialize", name: "recordListings" },
    );
    const found = await discoverTrails(emu.s3, { bucket: BUCKET, prefix: "" });
    assert.equal(found.root, "AWSLogs/");
    assert.deepEqual(found.orgs, [ORG]);
    assert.deepEqual(found.accounts, [
      "111122223333",
      "123456789012",
      "444455556666",
      "777788889999",
    ]);
    assert.deepEqual(found.regions, ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"]);
    assert.deepEqual(
      found.trails.map((t) => [t.org, t.account, t.region, t.newestDay, t.newestObject]),
      [
        [null, "123456789012", "us-east-1", "2026-11-20", "2026-11-20T11:00:00Z"],
        [ORG, "111122223333", "eu-west-1", "2026-11-19", "2026-11-19T23:10:00Z"],
        [ORG, "111122223333", "us-east-1", "2026-11-20", "2026-11-20T10:15:00Z"],
        [ORG, "444455556666", "ap-southeast-2", "2026-11-20", "2026-11-20T04:40:00Z"],
        [ORG, "444455556666", "us-east-1", "2026-01-02", "2026-01-02T01:30:00Z"],
        [ORG, "777788889999", "us-west-2", "2026-11-18", "2026-11-18T12:00:00Z"],
      ],
    );
    assert.equal(found.trails[2].prefix, `AWSLogs/${ORG}/111122223333/CloudTrail/us-east-1/`);
    // Never a listing of the whole bucket: every call either walks one level with a
    // delimiter or lists one day folder.
    for (const l of listings) {
      assert.ok(
        l.Delimiter === "/" || /\/\d{4}\/\d{2}\/\d{2}\/$/.test(l.Prefix ?? ""),
        `full listing of ${JSON.stringify(l)}`,
      );
    }

    const oneOrg = await discoverTrails(emu.s3, { bucket: BUCKET, prefix: `AWSLogs/${ORG}/` });
    assert.deepEqual(oneOrg.accounts, ["111122223333", "444455556666", "777788889999"]);
  } finally {
    await emu.stop();
  }
});

Deno.test("iota integrations discover prints the table, JSON, and one-line errors", async () => {
  const emu = await startEmulator();
  const dir = await tempDir();
  try {
    await seed(emu.s3);
    const cfg = `${dir.path}/iota.yaml`;
    await Deno.writeTextFile(cfg, `aws: { region: us-east-1, endpoint: "${emu.endpoint}" }\n`);
    const run = (...args: string[]) =>
      runIota(["integrations", "discover", "--config", cfg, ...args], { env: AWS_TEST_ENV });

    const table = await run("--bucket", BUCKET);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split("\n");
    assert.match(lines[0], /^ORG\s+ACCOUNT\s+REGION\s+NEWEST DAY\s+NEWEST FILE\s+PREFIX$/);
    assert.equal(lines.length, 2 + 6 + 1);
    assert.match(
      lines[4],
      /^o-exampleorg1\s+111122223333\s+us-east-1\s+2026-11-20\s+2026-11-20T10:15:00Z\s+AWSLogs\//,
    );
    assert.equal(
      lines.at(-1),
      "1 organizations, 4 accounts, 4 regions under s3://org-trail/AWSLogs/",
    );

    const json = await run(
      "--bucket",
      BUCKET,
      "--prefix",
      `AWSLogs/${ORG}/444455556666/`,
      "--json",
    );
    assert.equal(json.code, 0, json.stderr);
    const found = JSON.parse(json.stdout);
    assert.deepEqual(found.regions, ["ap-southeast-2", "us-east-1"]);
    assert.deepEqual(found.accounts, ["444455556666"]);

    const bad = await run("--bucket", "Not_A_Bucket");
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      "iota error: Invalid --bucket \"Not_A_Bucket\": not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')\n",
    );
    const missing = await run("--bucket", "no-such-bucket");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^iota error: Cannot list "s3:\/\/no-such-bucket\/": .+\n$/);
    const empty = await run("--bucket", BUCKET, "--prefix", "exports/");
    assert.equal(empty.code, 1);
    assert.equal(empty.stdout, "No CloudTrail folders under s3://org-trail/exports/AWSLogs/\n");
  } finally {
    await emu.stop();
    await dir.cleanup();
  }
});
