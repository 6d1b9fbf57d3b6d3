/**
 * The parts of `iota serve` on their own: the metrics registry, health
 * verdicts, the concurrency limiter, polling watermarks and look-back, and
 * role assumption through STS (a local server stands in for STS, which the
 * emulator does not offer).
 */
import assert from "node:assert/strict";
import { Registry } from "../src/metrics/registry.ts";
import { MemoryHealth } from "../src/serve/health.ts";
import { Limiter } from "../src/serve/limiter.ts";
import { Watermark } from "../src/sources/poller.ts";
import {
  isLeaf,
  isLeafOrBelow,
  lookbackStart,
  worthDescending,
} from "../src/sources/_cloudtrail_layout.ts";
import { assumeRoleCredentials } from "../src/sources/credentials.ts";
import { notTakenReason } from "../src/serve/objects.ts";
import type { IntegrationConfig } from "../src/config.ts";
import { fakeSts } from "./_helpers/serve.ts";

Deno.test("Registry.render() writes counters, gauges and histograms in Prometheus text", () => {
  const r = new Registry();
  const c = r.counter("iota_objects_total", "Objects handled");
  c.inc({ integration: "org", result: "processed" }, 2);
  c.inc({ integration: "org", result: "processed" });
  c.inc({ integration: 'we"ird\\', result: "error" });
  r.gauge("iota_up", "Up", () => [[{}, 1]]);
  const h = r.histogram("iota_seconds", "Durations", [0.1, 1]);
  h.observe({ integration: "org" }, 0.05);
  h.observe({ integration: "org" }, 0.5);
  h.observe({ integration: "org" }, 3);
  assert.equal(
    r.render(),
    [
      "# HELP iota_objects_total Objects handled",
      "# TYPE iota_objects_total counter",
      'iota_objects_total{integration="org",result="processed"} 3',
      'iota_objects_total{integration="we\\"ird\\\\",result="error"} 1',
      "# HELP iota_up Up",
      "# TYPE iota_up gauge",
      "iota_up 1",
      "# HELP iota_seconds Durations",
      "# TYPE iota_seconds histogram",
      'iota_seconds_bucket{integration="org",le="0.1"} 1',
      'iota_seconds_bucket{integration="org",le="1"} 2',
      'iota_seconds_bucket{integration="org",le="+Inf"} 3',
      'iota_seconds_sum{integration="org"} 3.55',
      'iota_seconds_count{integration="org"} 3',
      "",
    ].join("\n"),
  );
  assert.throws(() => r.counter("iota_up", "again"), /registered twice/);
});

Deno.test("MemoryHealth.report() is stale after the loop age bound and failing until recovery", () => {
  const t0 = Date.UTC(2026, 10, 20, 10, 0, 0);
  const h = new MemoryHealth(t0);
  h.register("a", 120);
  h.register("b", 120);
  assert.equal(h.report(t0 + 1000).healthy, true);
  h.loopOk("a", t0 + 100_000);
  const later = h.report(t0 + 150_000);
  assert.deepEqual(later.integrations.map((i) => i.status), ["healthy", "stale"]);
  assert.equal(later.healthy, false);
  h.loopOk("b", t0 + 150_000);
  h.failed("a", "object", 'Cannot read object "s3://b/k": gone');
  h.loopOk("a", t0 + 151_000);
  assert.equal(h.report(t0 + 152_000).integrations[0].status, "failing");
  h.objectDone("a", 5, t0 + 153_000);
  h.failed("b", "loop", "Cannot receive");
  const r = h.report(t0 + 154_000);
  assert.deepEqual(r.integrations.map((i) => i.status), ["healthy", "failing"]);
  assert.equal(r.integrations[0].errors, 1);
  assert.equal(r.integrations[0].events, 5);
  h.loopOk("b", t0 + 155_000);
  assert.equal(h.report(t0 + 156_000).healthy, true);
});

Deno.test("Limiter.run() never runs more than its limit at once", async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 7 }, (_, i) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running--;
    })));
  assert.equal(peak, 2);
  assert.equal(order.length, 7);
  assert.equal(limiter.active, 0);
});

Deno.test("Watermark moves only over an unbroken run of completed keys", () => {
  const w = new Watermark(["a", "b", "c", "d"]);
  assert.equal(w.complete("c"), null);
  assert.equal(w.peek("b"), null);
  assert.equal(w.peek("a"), "a");
  assert.equal(w.complete("b"), null);
  // a completes: the run a..c is done.
  assert.equal(w.peek("a"), "c");
  assert.equal(w.complete("a"), "c");
  assert.equal(w.complete("d"), "d");
  assert.equal(w.complete("x"), null);
});

Deno.test("lookbackStart() starts a CloudTrail folder's listing before its checkpoint", () => {
  const folder = "AWSLogs/111122223333/CloudTrail/us-east-1/";
  const key = `${folder}2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_AbCd.json.gz`;
  assert.equal(
    lookbackStart(key, 20 * 60_000),
    `${folder}2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0945Z`,
  );
  // Across midnight the day folder changes too.
  const early = `${folder}2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0005Z_x.json.gz`;
  assert.equal(
    lookbackStart(early, 20 * 60_000),
    `${folder}2026/11/19/111122223333_CloudTrail_us-east-1_20261119T2345Z`,
  );
  const digest = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/" +
    "111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261120T110412Z.json.gz";
  assert.equal(
    lookbackStart(digest, 60_000),
    "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/" +
      "111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261120T110312Z",
  );
  assert.ok(lookbackStart(key, 20 * 60_000) < key);
  assert.equal(lookbackStart("exports/part-0001.json", 60_000), "exports/part-0001.json");
});

Deno.test("isLeaf() and worthDescending() find the account/region folders of a trail", () => {
  assert.equal(isLeaf("AWSLogs/111122223333/CloudTrail/us-east-1/"), true);
  assert.equal(
    isLeaf("trail/AWSLogs/o-abc123def4/111122223333/CloudTrail-Insight/eu-west-1/"),
    true,
  );
  assert.equal(isLeaf("AWSLogs/111122223333/CloudTrail/"), false);
  assert.equal(worthDescending("AWSLogs/", 0), true);
  assert.equal(worthDescending("AWSLogs/o-abc123def4/", 1), true);
  assert.equal(worthDescending("AWSLogs/111122223333/CloudTrail-Digest/", 2), true);
  assert.equal(worthDescending("AWSLogs/111122223333/Config/", 2), false);
  assert.equal(worthDescending("my-trail-prefix/", 0), true);
  assert.equal(worthDescending("a/b/c/", 2), false);
  assert.equal(isLeafOrBelow("AWSLogs/111122223333/CloudTrail/us-east-1/2026/"), true);
  assert.equal(isLeafOrBelow("AWSLogs/111122223333/"), false);
});

Deno.test("notTakenReason() keeps an integration to its bucket, prefix and accounts", () => {
  const i = {
    name: "org",
    bucket: "org-trail",
    prefix: "AWSLogs/",
    accounts: ["111122223333"],
  } as IntegrationConfig;
  const key = "AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1/2026/11/20/x.json.gz";
  assert.equal(notTakenReason(i, "org-trail", key), null);
  assert.equal(notTakenReason(i, "other", key), 'bucket is not "org-trail"');
  assert.equal(notTakenReason(i, "org-trail", "logs/x.json.gz"), 'key is not under "AWSLogs/"');
  assert.equal(
    notTakenReason(i, "org-trail", key.replace("111122223333", "444455556666")),
    "account 444455556666 is not in accounts",
  );
});

/**
 * Sets the keys the STS call is signed with (as an instance role would give);
 * returns the previous ones for restoreEnv.
 */
function useInstanceKeys(): { id?: string; secret?: string } {
  const saved = {
    id: Deno.env.get("AWS_ACCESS_KEY_ID"),
    secret: Deno.env.get("AWS_SECRET_ACCESS_KEY"),
  };
  Deno.env.set("AWS_ACCESS_KEY_ID", "instance-role-key");
  Deno.env.set("AWS_SECRET_ACCESS_KEY", "instance-role-secret");
  return saved;
}

function restoreEnv(saved: { id?: string; secret?: string }): void {
  if (saved.id === undefined) Deno.env.delete("AWS_ACCESS_KEY_ID");
  else Deno.env.set("AWS_ACCESS_KEY_ID", saved.id);
  if (saved.secret === undefined) Deno.env.delete("AWS_SECRET_ACCESS_KEY");
  else Deno.env.set("AWS_SECRET_ACCESS_KEY", saved.secret);
}

Deno.test("assumeRoleCredentials() assumes the role once and renews before expiry", async () => {
  let expiry = new Date(Date.now() + 3600_000);
  const sts = fakeSts(() => expiry);
  const saved = useInstanceKeys();
  try {
    const provider = assumeRoleCredentials({
      roleArn: "arn:aws:iam::111122223333:role/iota-reader",
      sessionName: "iota-org",
      externalId: "ext-1",
      region: "us-east-1",
      endpoint: sts.endpoint,
    });
    const [a, b] = await Promise.all([provider(), provider()]);
    assert.equal(a.accessKeyId, "ASIAEXAMPLE1");
    assert.equal(a.sessionToken, "token-1");
    assert.equal(b.accessKeyId, "ASIAEXAMPLE1");
    assert.equal(sts.requests.length, 1);
    assert.equal(sts.requests[0].get("Action"), "AssumeRole");
    assert.equal(sts.requests[0].get("RoleArn"), "arn:aws:iam::111122223333:role/iota-reader");
    assert.equal(sts.requests[0].get("RoleSessionName"), "iota-org");
    assert.equal(sts.requests[0].get("ExternalId"), "ext-1");
    // Credentials that expire within five minutes are renewed on the next call.
    expiry = new Date(Date.now() + 60_000);
    const p2 = assumeRoleCredentials({
      roleArn: "arn:aws:iam::111122223333:role/iota-reader",
      sessionName: "iota-org",
      endpoint: sts.endpoint,
    });
    assert.equal((await p2()).accessKeyId, "ASIAEXAMPLE2");
    assert.equal((await p2()).accessKeyId, "ASIAEXAMPLE3");
    assert.equal(sts.requests.length, 3);
  } finally {
    restoreEnv(saved);
    await sts.stop();
  }
});

Deno.test("assumeRoleCredentials() names the role when STS refuses", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed to assume</Message></Error><RequestId>x</RequestId></ErrorResponse>`,
        { status: 403, headers: { "content-type": "text/xml" } },
      ),
  );
  const saved = useInstanceKeys();
  try {
    const provider = assumeRoleCredentials({
      roleArn: "arn:aws:iam::111122223333:role/iota-reader",
      sessionName: "iota-org",
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${server.addr.port}`,
    });
    await assert.rejects(
      provider(),
      /^Error: Cannot assume role "arn:aws:iam::111122223333:role\/iota-reader": not allowed to assume$/,
    );
  } finally {
    restoreEnv(saved);
    await server.shutdown();
  }
});
