/**
 * `iota backfill s3://…` against the fauxqs emulator with the real AWS SDK: a
 * bucket with an organization trail and an account trail over several
 * accounts, regions and days.
 */
import assert from "node:assert/strict";
import { runIota } from "./_helpers/mod.ts";
import { AWS_TEST_ENV } from "./_helpers/aws.ts";
import {
  jsonLines,
  lastJson,
  objectKey,
  ORG,
  query,
  TRAILS,
  withOrgTrail,
  writeConfig,
} from "./_helpers/backfill.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
Deno.test("iota backfill processes exactly the objects of the planned days and accounts, once", () =>
  withOrgTrail(async ({ config, dir, keys }) => {
    const state = `${dir}/iota.db`;
    const args = [
      "backfill",
      "s3://org-trail/AWSLogs/",
      "--start",
      "2026-11-19",
      "--end",
      "2026-11-20",
      "--account",
      "111122223333",
      "--account",
      "777788889999",
      "--config",
      config,
      "--state",
      state,
      "--lake",
      "none",
      "--rules",
      GOOD_RULES,
      "--json",
    ];
    const first = await runIota(args, { env: AWS_TEST_ENV });
    assert.equal(first.code, 0, first.stderr);
    const expected = keys.filter((k) =>
      (k.includes("/111122223333/") || k.includes("/777788889999/")) &&
      (k.includes("/2026/11/19/") || k.includes("/2026/11/20/"))
    ).map((k) => `s3://org-trail/${k}`).sort();
    assert.equal(expected.length, 12);
    const stored = query<{ uri: string }>(state, "SELECT uri FROM objects ORDER BY uri")
      .map((r) => r.uri);
    assert.deepEqual(stored, expected);
    const summary = lastJson(first.stdout);
    assert.deepEqual(Object.keys(summary).sort(), [
      "alerts",
      "bad_objects",
      "bad_records",
      "digests",
      "events",
      "events_to_rules",
      "objects",
      "rule_errors",
      "seconds",
      "skipped",
      "type",
    ]);
    assert.equal(summary.objects, 12);
    assert.equal(summary.events, 24);
    assert.equal(summary.alerts, 12);

    const second = await runIota(args, { env: AWS_TEST_ENV });
    assert.equal(second.code, 0, second.stderr);
    const again = lastJson(second.stdout);
    assert.equal(again.objects, 0);
    assert.equal(again.alerts, 0);
    assert.equal(query<{ n: number }>(state, "SELECT count(*) AS n FROM objects")[0].n, 12);

    // Every planned prefix is marked done, so a dry run has nothing left to do.
    const plan = await runIota([...args, "--dry-run"], { env: AWS_TEST_ENV });
    assert.equal(plan.code, 0, plan.stderr);
    const totals = lastJson(plan.stdout);
    assert.equal(totals.type, "plan");
    assert.equal(totals.prefixes, 6);
    assert.equal(totals.prefixes_done, 6);
    assert.equal(totals.objects, 0);
  }));

Deno.test("iota backfill --dry-run plans discovered regions, --region and --integration prefixes", () =>
  withOrgTrail(async ({ dir, emu }) => {
    const config = await writeConfig(
      dir,
      emu.endpoint,
      `integrations:\n  - name: org\n    bucket: org-trail\n    prefix: AWSLogs/${ORG}/\n    region: us-east-1\n    queue_url: http://127.0.0.1:1/000000000000/unused\n`,
    );
    const common = ["--config", config, "--state", `${dir}/iota.db`, "--dry-run", "--json"];
    const all = await runIota(
      ["backfill", "s3://org-trail", "--start", "2026-11-20", "--end", "2026-11-21", ...common],
      { env: AWS_TEST_ENV },
    );
    assert.equal(all.code, 0, all.stderr);
    const prefixes = jsonLines(all.stdout).filter((l) => l.type === "prefix");
    // 4 discovered trails (org and account trails, regions per account) × 2 days.
    // Plan order: day, then account folders as listed (account trails before organizations).
    const planOrder = [TRAILS[3], TRAILS[1], TRAILS[0], TRAILS[2]];
    assert.deepEqual(
      prefixes.map((p) => p.prefix),
      ["2026-11-20", "2026-11-21"].flatMap((d) =>
        planOrder.map((t) => `s3://org-trail/${objectKey(t, d, 0).replace(/[^/]+$/, "")}`)
      ),
    );
    const totals = lastJson(all.stdout);
    assert.equal(totals.objects, 16);
    assert.equal(totals.bytes, prefixes.reduce((n, p) => n + (p.bytes as number), 0));
    assert.equal(totals.throughput, "default");
    assert.ok((totals.estimated_seconds as number) >= 1);

    const region = await runIota(
      [
        "backfill",
        "s3://org-trail/AWSLogs/",
        "--start",
        "2026-11-18",
        "--region",
        "eu-west-1",
        "--end",
        "2026-11-18",
        ...common,
      ],
      { env: AWS_TEST_ENV },
    );
    assert.equal(region.code, 0, region.stderr);
    const byRegion = jsonLines(region.stdout).filter((l) => l.type === "prefix");
    assert.deepEqual(byRegion.map((p) => [p.account, p.region, p.objects]), [
      ["777788889999", "eu-west-1", 0],
      ["111122223333", "eu-west-1", 2],
      ["444455556666", "eu-west-1", 0],
    ]);

    const integ = await runIota(
      [
        "backfill",
        "--integration",
        "org",
        "--start",
        "2026-11-21",
        "--end",
        "2026-11-21",
        ...common,
      ],
      { env: AWS_TEST_ENV },
    );
    assert.equal(integ.code, 0, integ.stderr);
    const viaInteg = jsonLines(integ.stdout).filter((l) => l.type === "prefix");
    assert.deepEqual(viaInteg.map((p) => [p.org, p.account, p.region]), [
      [ORG, "111122223333", "eu-west-1"],
      [ORG, "111122223333", "us-east-1"],
      [ORG, "444455556666", "us-east-1"],
    ]);

    const unknown = await runIota(
      ["backfill", "--integration", "nope", "--start", "2026-11-21", ...common],
      { env: AWS_TEST_ENV },
    );
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Cannot use integration "nope": not in the integrations of /);
    const badDay = await runIota(
      ["backfill", "s3://org-trail", "--start", "2026-02-30", ...common],
      { env: AWS_TEST_ENV },
    );
    assert.equal(badDay.code, 2);
    assert.match(badDay.stderr, /Invalid --start "2026-02-30": expected a date as YYYY-MM-DD/);
    const noBucket = await runIota(
      ["backfill", "s3://no-such-bucket/AWSLogs/", "--start", "2026-11-21", ...common],
      { env: AWS_TEST_ENV },
    );
    assert.equal(noBucket.code, 2);
    assert.match(noBucket.stderr, /Cannot list "s3:\/\/no-such-bucket\/AWSLogs\/": /);
    assert.equal(noBucket.stderr.trim().split("\n").length, 1);
  }));
