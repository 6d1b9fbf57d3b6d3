/**
 * Delivery through the outbox to HTTP receivers started by each test on
 * 127.0.0.1: retries, give-up, independence of outputs, HMAC signatures,
 * Slack and PagerDuty formats, and resuming after a stop or a killed process.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { openStore, type Store } from "../src/store/db.ts";
import { applyMatches } from "../src/alerts/dedup.ts";
import { deliverDue, runForwarder } from "../src/alerts/forwarder.ts";
import { createOutputs } from "../src/alerts/outputs/registry.ts";
import type { Output } from "../src/alerts/outputs/types.ts";
import { listAlerts } from "../src/store/alerts.ts";
import { deliveriesOf, dueDeliveries, type OutboxRow } from "../src/store/outbox.ts";
import type { RetryPolicy } from "../src/alerts/retry.ts";
import { match, ruleMeta, tempDir } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
/** Tiny delays: retries happen at once, tests never wait on backoff. */
const FAST: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 4 };
const MAIN = new URL("../", import.meta.url).pathname;

/** A local HTTP endpoint that records requests and answers through `answer`. */
interface Receiver {
  url: string;
  /** Raw bodies of every request, in arrival order. */
  bodies: string[];
  /** How many times each key (from `keyOf`) was answered with a 2xx. */
  accepted: Map<string, number>;
  close(): Promise<void>;
}

function startReceiver(
  answer: (n: number, req: Request, body: string) => Response | Promise<Response>,
  keyOf: (body: Record<string, unknown>) => string = (b) => String(b.id),
): Receiver {
  const bodies: string[] = [];
  const accepted = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const body = await req.text();
      bodies.push(body);
      const res = await answer(bodies.length, req, body);
      if (res.status < 300) {
        const key = keyOf(JSON.parse(body));
        accepted.set(key, (accepted.get(key) ?? 0) + 1);
      }
      return res;
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    bodies,
    accepted,
    close: () => server.shutdown(),
  };
}

/** Fails the first `failures` requests with 503, then accepts. */
function flaky(failures: number) {
  return (n: number) =>
    new Response(n <= failures ? "busy" : "ok", {
      status: n <= failures ? 503 : 200,
    });
}

/** A port nobody listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Creates `n` alerts of rule `Test.Deliver`, each routed to `outputs`; returns their ids. */
function seed(store: Store, n: number, outputs: string[]): string[] {
  const rule = ruleMeta("Test.Deliver", { outputIds: outputs });
  const matches = Array.from({ length: n }, (_, i) =>
    match(rule.id, T0 + i * 1000, `row-${i}`, {
      dedup: `actor-${i}`,
      title: `Alert ${i}`,
      context: { sourceIPAddress: "203.0.113.9", i },
    }));
  const r = store.transaction(() =>
    applyMatches(store, matches, new Map([[rule.id, rule]]), {
      outputs: new Set(outputs),
      defaultOutputs: outputs,
    })
  );
  return r.fired.map((a) => a.id).sort();
}

function rows(store: Store): OutboxRow[] {
  return listAlerts(store, { limit: 1000 }).flatMap((a) => deliveriesOf(store, a.id));
}

/** Polls `cond` until true; fails after a generous deadline instead of hanging. */
async function waitFor(cond: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a forwarder until no delivery is pending, then stops it. */
async function forwardUntilSettled(
  store: Store,
  outputs: ReadonlyMap<string, Output>,
  policy = FAST,
): Promise<void> {
  const stop = new AbortController();
  const running = runForwarder(store, outputs, { signal: stop.signal, pollMs: 5, policy });
  try {
    await waitFor(() => rows(store).every((r) => r.status !== "pending"), "deliveries to settle");
  } finally {
    stop.abort();
    await running;
  }
}

Deno.test("runForwarder() retries a webhook that fails twice and delivers each alert exactly once", async () => {
  const receiver = startReceiver(flaky(2));
  const store = openStore(":memory:");
  try {
    const ids = seed(store, 3, ["hook"]);
    const outputs = createOutputs([{ name: "hook", type: "webhook", url: receiver.url }], {});
    await forwardUntilSettled(store, outputs);
    assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
    assert.ok([...receiver.accepted.values()].every((n) => n === 1));
    assert.equal(receiver.bodies.length, 5);
    assert.ok(rows(store).every((r) => r.status === "delivered"));
    const body = JSON.parse(receiver.bodies[receiver.bodies.length - 1]);
    assert.equal(body.type, "alert");
    assert.equal(body.rule_id, "Test.Deliver");
    assert.equal(body.count, 1);
  } finally {
    store.close();
    await receiver.close();
  }
});

Deno.test("runForwarder() retries a Slack webhook that fails twice and posts each alert once as blocks", async () => {
  const alertIdOf = (b: Record<string, unknown>) => {
    const blocks = b.blocks as { type: string; elements?: { text: string }[] }[];
    const context = blocks.find((x) => x.type === "context")!;
    return context.elements![0].text.match(/alert `([0-9a-f]+)`/)![1];
  };
  const receiver = startReceiver(flaky(2), alertIdOf);
  const store = openStore(":memory:");
  try {
    const ids = seed(store, 3, ["secops"]);
    const outputs = createOutputs(
      [{ name: "secops", type: "slack", url_env: "TEST_SLACK_URL" }],
      { TEST_SLACK_URL: receiver.url },
    );
    await forwardUntilSettled(store, outputs);
    assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
    assert.ok([...receiver.accepted.values()].every((n) => n === 1));
    const msg = JSON.parse(receiver.bodies[receiver.bodies.length - 1]);
    assert.match(msg.text, /^\[HIGH\] Alert \d \(1 event, Test\.Deliver\)$/);
    assert.equal(msg.blocks[0].type, "header");
    assert.match(msg.blocks[0].text.text, /^Alert \d$/);
    const fields = msg.blocks[1].fields.map((f: { text: string }) => f.text).join("\n");
    assert.match(fields, /\*Severity\*\n.* High/);
    assert.match(fields, /\*Rule\*\n`Test.Deliver`/);
    assert.match(fields, /\*Events\*\n1 event/);
    assert.ok(
      msg.blocks.some((b: { fields?: { text: string }[] }) =>
        b.fields?.some((f) => f.text === "*sourceIPAddress*\n203.0.113.9")
      ),
    );
  } finally {
    store.close();
    await receiver.close();
  }
});

Deno.test("runForwarder() retries PagerDuty events that fail twice; one trigger per alert with its dedup_key", async () => {
  const receiver = startReceiver(
    (n) =>
      n <= 2
        ? new Response("{}", { status: 500 })
        : Response.json({ status: "success", message: "Event processed" }, { status: 202 }),
    (b) => String(b.dedup_key),
  );
  const store = openStore(":memory:");
  try {
    const ids = seed(store, 3, ["pager"]);
    const outputs = createOutputs(
      [{ name: "pager", type: "pagerduty", routing_key_env: "PD_KEY", url: receiver.url }],
      { PD_KEY: "R0UT1NGKEY" },
    );
    await forwardUntilSettled(store, outputs);
    assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
    assert.ok([...receiver.accepted.values()].every((n) => n === 1));
    const event = JSON.parse(receiver.bodies[receiver.bodies.length - 1]);
    assert.equal(event.routing_key, "R0UT1NGKEY");
    assert.equal(event.event_action, "trigger");
    assert.equal(event.payload.severity, "error");
    assert.equal(event.payload.source, "iota");
    assert.match(event.payload.summary, /^Alert \d$/);
    assert.equal(event.payload.custom_details.rule_id, "Test.Deliver");
    assert.equal(event.payload.custom_details.count, 1);
  } finally {
    store.close();
    await receiver.close();
  }
});

Deno.test("runForwarder() marks an alert failed for a down output after the configured tries while other outputs get it", async () => {
  const receiver = startReceiver(() => new Response("ok"));
  const store = openStore(":memory:");
  try {
    const ids = seed(store, 2, ["down", "up"]);
    const outputs = createOutputs([
      { name: "down", type: "webhook", url: `http://127.0.0.1:${closedPort()}/hook` },
      { name: "up", type: "webhook", url: receiver.url },
    ], {});
    await forwardUntilSettled(store, outputs, { ...FAST, maxAttempts: 3 });
    assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
    for (const id of ids) {
      const [down, up] = deliveriesOf(store, id);
      assert.equal(down.output, "down");
      assert.equal(down.status, "failed");
      assert.equal(down.attempts, 3);
      assert.match(down.lastError!, /^POST http:\/\/127\.0\.0\.1:\d+: /);
      assert.equal(up.status, "delivered");
      assert.equal(up.attempts, 1);
    }
    assert.deepEqual(listAlerts(store, { status: "failed" }).map((a) => a.id).sort(), ids);
  } finally {
    store.close();
    await receiver.close();
  }
});

Deno.test("runForwarder() delivers to other outputs while one output hangs", async () => {
  const receiver = startReceiver(() => new Response("ok"));
  const store = openStore(":memory:");
  let release = () => {};
  const hung = new Promise<void>((r) => release = r);
  const stuck: Output = {
    name: "stuck",
    type: "test",
    timeoutMs: 60_000,
    send: (_alert, signal) =>
      new Promise((_, reject) => {
        signal?.addEventListener("abort", () => reject(new Error("aborted")));
        hung.then(() => reject(new Error("released")));
      }),
  };
  const stop = new AbortController();
  try {
    const ids = seed(store, 4, ["stuck", "hook"]);
    const outputs = new Map<string, Output>([
      ["stuck", stuck],
      ...createOutputs([{ name: "hook", type: "webhook", url: receiver.url }], {}),
    ]);
    const running = runForwarder(store, outputs, { signal: stop.signal, pollMs: 5, policy: FAST });
    await waitFor(() => receiver.accepted.size === ids.length, "the webhook to get every alert");
    stop.abort();
    await running;
    // Stopping abandoned the hung send without counting it as a try.
    const stuckRows = rows(store).filter((r) => r.output === "stuck");
    assert.ok(stuckRows.every((r) => r.status === "pending" && r.attempts === 0));
    assert.equal(dueDeliveries(store, Date.now() + 1, { output: "stuck" }).length, ids.length);
  } finally {
    release();
    store.close();
    await receiver.close();
  }
});

Deno.test("webhook output signs the body with HMAC-SHA256 and the receiver verifies it", async () => {
  const secret = "s3cr3t-for-tests";
  let verified = 0;
  const receiver = startReceiver((_n, req, body) => {
    const expected = "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
    if (req.headers.get("x-iota-signature") !== expected) {
      return new Response("bad signature", { status: 401 });
    }
    assert.match(req.headers.get("x-iota-timestamp")!, /^\d{10}$/);
    assert.equal(req.headers.get("x-iota-alert-id"), JSON.parse(body).id);
    assert.equal(req.headers.get("x-team"), "secops");
    assert.equal(req.headers.get("authorization"), "Bearer from-env");
    verified++;
    return new Response("ok");
  });
  const store = openStore(":memory:");
  try {
    const ids = seed(store, 2, ["signed", "wrong"]);
    const outputs = createOutputs([
      {
        name: "signed",
        type: "webhook",
        url_env: "HOOK_URL",
        secret_env: "HOOK_SECRET",
        headers: { "X-Team": "secops" },
        headers_env: { Authorization: "HOOK_AUTH" },
        timeout_secs: 5,
      },
      {
        name: "wrong",
        type: "webhook",
        url_env: "HOOK_URL",
        secret_env: "OTHER_SECRET",
        headers: { "X-Team": "secops" },
        headers_env: { Authorization: "HOOK_AUTH" },
      },
    ], {
      HOOK_URL: receiver.url,
      HOOK_SECRET: secret,
      OTHER_SECRET: "not-the-secret",
      HOOK_AUTH: "Bearer from-env",
    });
    await forwardUntilSettled(store, outputs);
    assert.equal(verified, ids.length);
    const byOutput = (name: string) => rows(store).filter((r) => r.output === name);
    assert.ok(byOutput("signed").every((r) => r.status === "delivered"));
    // A 401 will not change on retry: given up after the first try.
    assert.ok(byOutput("wrong").every((r) => r.status === "failed" && r.attempts === 1));
    assert.match(byOutput("wrong")[0].lastError!, /HTTP 401: bad signature$/);
  } finally {
    store.close();
    await receiver.close();
  }
});

Deno.test("deliverDue() counts a send that outlives the output's time limit as a failed try", async () => {
  let release = () => {};
  const never = new Promise<void>((r) => release = r);
  const receiver = startReceiver(async () => {
    await never;
    return new Response("late");
  });
  const store = openStore(":memory:");
  try {
    seed(store, 1, ["slow"]);
    const outputs = createOutputs(
      [{ name: "slow", type: "webhook", url: receiver.url, timeout_secs: 0.2 }],
      {},
    );
    const report = await deliverDue(store, outputs, { policy: FAST });
    assert.deepEqual(report, { delivered: 0, retrying: 1, failed: 0 });
    const [row] = rows(store);
    assert.equal(row.status, "pending");
    assert.equal(row.attempts, 1);
    assert.match(row.lastError!, /no (answer|response) within 200 ms/);
  } finally {
    release();
    store.close();
    await receiver.close();
  }
});

Deno.test("a forwarder restarted over the same state file delivers the rest after a stop mid-delivery", async () => {
  const dir = await tempDir();
  let holdThird = true;
  let releaseThird = () => {};
  const receiver = startReceiver(async (n) => {
    if (n === 3 && holdThird) {
      await new Promise<void>((r) => releaseThird = r);
      return new Response("gone", { status: 503 });
    }
    return new Response("ok");
  });
  try {
    const path = `${dir.path}/iota.db`;
    const first = openStore(path);
    const ids = seed(first, 5, ["hook"]);
    const outputs = createOutputs([{ name: "hook", type: "webhook", url: receiver.url }], {});
    const stop = new AbortController();
    const running = runForwarder(first, outputs, { signal: stop.signal, pollMs: 5, policy: FAST });
    await waitFor(() => receiver.bodies.length === 3, "the third request");
    stop.abort();
    await running;
    first.close();
    holdThird = false;
    releaseThird();

    const second = openStore(path);
    try {
      await forwardUntilSettled(second, outputs);
      assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
      assert.ok([...receiver.accepted.values()].every((n) => n === 1));
      assert.ok(rows(second).every((r) => r.status === "delivered"));
    } finally {
      second.close();
    }
  } finally {
    releaseThird();
    await receiver.close();
    await dir.cleanup();
  }
});

Deno.test("a killed iota's pending deliveries are delivered exactly once by the next forwarder", async () => {
  const dir = await tempDir();
  let releaseHeld = () => {};
  const receiver = startReceiver(async (n) => {
    // The third request is in flight when the process dies: never acknowledged.
    if (n === 3) {
      await new Promise<void>((r) => releaseHeld = r);
      return new Response("gone", { status: 503 });
    }
    return new Response("ok");
  });
  try {
    const path = `${dir.path}/iota.db`;
    const store = openStore(path);
    const ids = seed(store, 5, ["hook"]);
    store.close();
    const src = (p: string) => JSON.stringify(new URL(`../src/${p}`, import.meta.url).href);
    const script = `
      import { openStore } from ${src("store/db.ts")};
      import { createOutputs } from ${src("alerts/outputs/registry.ts")};
      import { runForwarder } from ${src("alerts/forwarder.ts")};
      const store = openStore(${JSON.stringify(path)});
      const outputs = createOutputs(
        [{ name: "hook", type: "webhook", url: ${JSON.stringify(receiver.url)}, timeout_secs: 2 }],
        {},
      );
      await runForwarder(store, outputs, { pollMs: 5, claimGraceMs: 100 });
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      cwd: MAIN,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      await waitFor(() => receiver.bodies.length === 3, "the child's third request");
    } finally {
      child.kill("SIGKILL");
      await child.output();
    }
    assert.equal(receiver.accepted.size, 2);

    const restarted = openStore(path);
    try {
      const outputs = createOutputs([{ name: "hook", type: "webhook", url: receiver.url }], {});
      await forwardUntilSettled(restarted, outputs);
      assert.deepEqual([...receiver.accepted.keys()].sort(), ids);
      assert.ok([...receiver.accepted.values()].every((n) => n === 1));
      assert.ok(rows(restarted).every((r) => r.status === "delivered"));
    } finally {
      restarted.close();
    }
  } finally {
    releaseHeld();
    await receiver.close();
    await dir.cleanup();
  }
});
