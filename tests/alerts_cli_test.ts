/**
 * `iota alerts list | show | retry` as a child process, over a state file the
 * test fills through `applyMatches`.
 */
import assert from "node:assert/strict";
import { openStore, type Store } from "../src/store/db.ts";
import { applyMatches } from "../src/alerts/dedup.ts";
import { listAlerts } from "../src/store/alerts.ts";
import { deliveriesOf, markAttemptFailed, markDelivered } from "../src/store/outbox.ts";
import type { RuleMatch, RuleMeta } from "../src/rules/types.ts";
import { match, ruleMeta, runIota, tempDir } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const DAY = 86_400_000;

function apply(store: Store, rule: RuleMeta, matches: RuleMatch[]): string[] {
  const r = store.transaction(() =>
    applyMatches(store, matches, new Map([[rule.id, rule]]), {
      outputs: new Set(["hook"]),
      defaultOutputs: ["hook"],
    })
  );
  return r.fired.map((a) => a.id);
}

/**
 * A state file with three alerts (one delivered, one failed, one pending) and
 * one window below its Threshold.
 */
function fill(path: string): { delivered: string; failed: string; pending: string } {
  const store = openStore(path);
  try {
    const high = ruleMeta("Test.High", { severity: "High" });
    const critical = ruleMeta("Test.Critical", { severity: "Critical" });
    const threshold = ruleMeta("Test.Threshold", { threshold: 5 });
    const [delivered, failed] = apply(store, high, [
      match(high.id, T0, "h1", { dedup: "alice", title: "High alice" }),
      match(high.id, T0 + 1000, "h2", { dedup: "bob", title: "High bob" }),
    ]);
    const [pending] = apply(store, critical, [
      match(critical.id, T0 + 2 * DAY, "c1", {
        severity: "Critical",
        title: "Critical carol",
        context: { sourceIPAddress: "203.0.113.9" },
      }),
    ]);
    apply(store, threshold, [match(threshold.id, T0, "t1"), match(threshold.id, T0 + 1, "t2")]);
    markDelivered(store, deliveriesOf(store, delivered)[0].id);
    markAttemptFailed(store, deliveriesOf(store, failed)[0].id, "HTTP 500", null);
    return { delivered, failed, pending };
  } finally {
    store.close();
  }
}

async function listJson(state: string, ...args: string[]): Promise<Record<string, unknown>[]> {
  const res = await runIota(["alerts", "list", "--json", "--state", state, ...args]);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.trim() === "" ? [] : res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("iota alerts list filters by rule, severity, since and status", async () => {
  const dir = await tempDir();
  try {
    const state = `${dir.path}/iota.db`;
    const ids = fill(state);
    const all = await listJson(state);
    assert.equal(all.length, 3);
    const statusOf = Object.fromEntries(all.map((a) => [a.id, a.status]));
    assert.deepEqual(statusOf, {
      [ids.delivered]: "delivered",
      [ids.failed]: "failed",
      [ids.pending]: "pending",
    });
    assert.deepEqual((await listJson(state, "--rule", "Test.Critical")).map((a) => a.id), [
      ids.pending,
    ]);
    assert.equal((await listJson(state, "--severity", "critical")).length, 1);
    assert.equal((await listJson(state, "--severity", "High,CRITICAL")).length, 3);
    assert.deepEqual((await listJson(state, "--since", "2026-11-21")).map((a) => a.id), [
      ids.pending,
    ]);
    assert.deepEqual((await listJson(state, "--status", "failed")).map((a) => a.id), [ids.failed]);
    assert.equal((await listJson(state, "--limit", "2")).length, 2);
    const windows = await listJson(state, "--unfired");
    assert.deepEqual(windows.map((w) => [w.rule_id, w.count, w.status]), [
      ["Test.Threshold", 2, "unfired"],
    ]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota alerts list prints an aligned table without --json and rejects bad filters", async () => {
  const dir = await tempDir();
  try {
    const state = `${dir.path}/iota.db`;
    fill(state);
    const res = await runIota(["alerts", "list", "--state", state]);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^ID\s+FIRST EVENT\s+SEVERITY\s+COUNT\s+STATUS\s+RULE\s+TITLE$/);
    const ruleColumn = lines[0].indexOf("RULE");
    for (const line of lines.slice(1)) assert.match(line.slice(ruleColumn), /^Test\./);
    assert.match(res.stdout, /Critical carol/);

    for (
      const [flag, value] of [["--since", "yesterday"], ["--severity", "urgent"], [
        "--status",
        "lost",
      ]]
    ) {
      const bad = await runIota(["alerts", "list", "--state", state, flag, value]);
      assert.equal(bad.code, 2, `${flag} ${value}`);
      assert.equal(bad.stderr.trim().split("\n").length, 1);
      assert.match(bad.stderr, new RegExp(`Invalid ${flag} "${value}": expected `));
    }
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota alerts show prints the full record with samples and deliveries; an unknown id exits 2", async () => {
  const dir = await tempDir();
  try {
    const state = `${dir.path}/iota.db`;
    const ids = fill(state);
    const json = await runIota(["alerts", "show", ids.failed, "--json", "--state", state]);
    assert.equal(json.code, 0, json.stderr);
    const full = JSON.parse(json.stdout);
    assert.equal(full.id, ids.failed);
    assert.equal(full.title, "High bob");
    assert.equal(full.fired, true);
    assert.deepEqual(full.sample_events.map((e: { p_row_id: string }) => e.p_row_id), ["h2"]);
    assert.deepEqual(
      full.deliveries.map((d: Record<string, unknown>) => [d.output, d.status, d.last_error]),
      [["hook", "failed", "HTTP 500"]],
    );

    const text = await runIota(["alerts", "show", ids.pending, "--state", state]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^\[CRITICAL\] Critical carol\n/);
    assert.match(text.stdout, /context:\s+\{\n\s+"sourceIPAddress": "203.0.113.9"/);
    assert.match(text.stdout, /hook\s+pending\s+0/);
    assert.match(text.stdout, /Sample events \(1 of 1\):\n\{/);

    const missing = await runIota(["alerts", "show", "no-such-id", "--state", state]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr.trim(),
      'iota error: Cannot show alert "no-such-id": no such alert',
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota alerts retry --failed delivers failed deliveries again to the configured outputs", async () => {
  const dir = await tempDir();
  const received: Record<string, unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push(await req.json());
    return new Response("ok");
  });
  try {
    const state = `${dir.path}/iota.db`;
    const ids = fill(state);
    const config = `${dir.path}/iota.yaml`;
    await Deno.writeTextFile(
      config,
      "outputs:\n  - name: hook\n    type: webhook\n    url_env: TEST_HOOK_URL\n",
    );
    const env = { TEST_HOOK_URL: `http://127.0.0.1:${server.addr.port}/alerts` };
    const args = ["--config", config, "--state", state];

    const none = await runIota(["alerts", "retry", ids.delivered, ...args], { env });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /has no failed deliveries/);

    const res = await runIota(["alerts", "retry", "--failed", ...args], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), "Reset 1 failed delivery; delivered 2, 0 will retry, 0 failed");
    // The pending delivery was due as well, so one pass delivered both.
    assert.deepEqual(received.map((b) => b.id).sort(), [ids.failed, ids.pending].sort());
    const store = openStore(state);
    try {
      assert.deepEqual(listAlerts(store, { status: "failed" }), []);
      const [row] = deliveriesOf(store, ids.failed);
      assert.equal(row.status, "delivered");
      assert.equal(row.attempts, 1);
    } finally {
      store.close();
    }

    const unset = await runIota(["alerts", "retry", "--failed", ...args]);
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /outputs\[0\]\.url_env: environment variable "TEST_HOOK_URL"/);
    assert.equal((await runIota(["alerts", "retry", "--state", state])).code, 2);
    assert.equal((await runIota(["alerts", "retry", "no-such-id", "--state", state])).code, 2);
  } finally {
    await server.shutdown();
    await dir.cleanup();
  }
});
