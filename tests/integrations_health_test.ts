/**
 * Integration health with an injected clock: healthy → stale after the gap,
 * failing after repeated errors or a denied listing, healthy again after a
 * good object; hourly counts; the config sync; and the exit code of
 * `iota integrations health`.
 */
import assert from "node:assert/strict";
import { openStore, type Store } from "../src/store/db.ts";
import {
  getIntegration,
  type IntegrationRecord,
  listIntegrations,
  putIntegration,
} from "../src/store/integrations.ts";
import {
  getHealth,
  hourlyBucketCount,
  recordObjectHealth,
  windowCounts,
} from "../src/store/integration_health.ts";
import { StoreHealth } from "../src/integrations/tracker.ts";
import { computeStatus, healthViews } from "../src/integrations/status.ts";
import { syncConfigIntegrations } from "../src/integrations/sync.ts";
import type { SourceObjectRef } from "../src/process/types.ts";
import type { CommittedObject } from "../src/pipeline.ts";
import type { IntegrationConfig } from "../src/config.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const MIN = 60_000;

function integration(name: string, overrides: Partial<IntegrationRecord> = {}): IntegrationRecord {
  return {
    name,
    label: name,
    bucket: "org-trail",
    prefix: "AWSLogs/",
    queueUrl: null,
    pollIntervalSecs: 60,
    visibilityTimeoutSecs: 300,
    region: null,
    roleArn: null,
    externalId: null,
    accounts: [],
    enabled: true,
    staleAfterSecs: 30 * 60,
    origin: "cli",
    createdAt: T0,
    updatedAt: T0,
    enabledAt: T0,
    ...overrides,
  };
}

function objectOf(name: string, account: string, region: string, n: number): SourceObjectRef {
  const key = `AWSLogs/o-exampleorg1/${account}/CloudTrail/${region}/2026/11/20/` +
    `${account}_CloudTrail_${region}_20261120T10${String(n).padStart(2, "0")}Z_x.json.gz`;
  return {
    uri: `s3://org-trail/${key}`,
    bucket: "org-trail",
    key,
    size: 100,
    etag: `e${n}`,
    sourceId: name,
    sourceLabel: name,
  };
}

function committed(overrides: Partial<CommittedObject> = {}): CommittedObject {
  return {
    kind: "cloudtrail",
    events: 10,
    badRecords: 0,
    ruleErrors: 0,
    error: null,
    firstEventTime: T0 - 10 * MIN,
    lastEventTime: T0 - 5 * MIN,
    ...overrides,
  } as CommittedObject;
}

/** A store with one integration and a tracker whose clock the test moves. */
function setup(): { store: Store; health: StoreHealth; clock: { now: number } } {
  const store = openStore(":memory:");
  store.transaction(() => putIntegration(store, integration("org")));
  const clock = { now: T0 };
  const health = new StoreHealth(store, { clock: () => clock.now });
  health.register("org", 120);
  return { store, health, clock };
}

/** Commits an object the way the pipeline does: onCommit inside the transaction. */
function commit(store: Store, health: StoreHealth, obj: SourceObjectRef, c: CommittedObject) {
  store.transaction(() => health.onCommit(obj, c));
}

const statusOf = (health: StoreHealth) => health.report().integrations[0].status;

Deno.test("StoreHealth.report() goes healthy → stale after the gap → healthy after a new object", () => {
  const { store, health, clock } = setup();
  commit(store, health, objectOf("org", "111122223333", "us-east-1", 5), committed());
  health.loopOk("org");
  assert.equal(statusOf(health), "healthy");
  clock.now = T0 + 29 * MIN;
  health.loopOk("org");
  assert.equal(statusOf(health), "healthy");
  clock.now = T0 + 31 * MIN;
  health.loopOk("org");
  const stale = health.report().integrations[0];
  assert.equal(stale.status, "stale");
  assert.equal(stale.reason, "no new object for 31m");
  assert.equal(health.report().healthy, false);
  commit(store, health, objectOf("org", "111122223333", "us-east-1", 35), committed());
  assert.equal(statusOf(health), "healthy");
  store.close();
});

Deno.test("StoreHealth.report() is failing after 3 failed objects in a row and healthy after a good one", () => {
  const { store, health, clock } = setup();
  health.loopOk("org");
  health.failed("org", "object", 'Cannot read object "s3://org-trail/a": gone');
  clock.now += MIN;
  commit(
    store,
    health,
    objectOf("org", "111122223333", "us-east-1", 1),
    committed({ error: "gzip header is invalid", events: 0 }),
  );
  assert.equal(statusOf(health), "healthy");
  health.failed("org", "object", 'Cannot read object "s3://org-trail/c": gone');
  const failing = health.report().integrations[0];
  assert.equal(failing.status, "failing");
  assert.equal(failing.lastError, 'Cannot read object "s3://org-trail/c": gone');
  assert.equal(getHealth(store, "org").objectFailures, 3);
  clock.now += MIN;
  commit(store, health, objectOf("org", "111122223333", "us-east-1", 2), committed());
  assert.equal(statusOf(health), "healthy");
  assert.equal(getHealth(store, "org").objectFailures, 0);
  // Errors in the hour: two unreadable objects and one corrupt one.
  assert.equal(windowCounts(store, "org", 3_600_000, clock.now).errors, 3);
  store.close();
});

Deno.test("StoreHealth.report() is failing at once when a listing is denied and recovers with the next", () => {
  const { store, health } = setup();
  health.loopOk("org");
  health.failed("org", "loop", 'Cannot list "s3://org-trail/AWSLogs/": Access Denied');
  assert.equal(statusOf(health), "failing");
  health.loopOk("org");
  assert.equal(statusOf(health), "healthy");
  // A network error fails the integration only when it repeats.
  health.failed("org", "loop", 'Cannot list "s3://org-trail/AWSLogs/": connect ECONNREFUSED');
  health.failed("org", "loop", 'Cannot list "s3://org-trail/AWSLogs/": connect ECONNREFUSED');
  assert.equal(statusOf(health), "healthy");
  health.failed("org", "loop", 'Cannot list "s3://org-trail/AWSLogs/": connect ECONNREFUSED');
  assert.equal(statusOf(health), "failing");
  store.close();
});

Deno.test("StoreHealth.report() is stale when the loop stops completing calls while objects are recent", () => {
  const { store, health, clock } = setup();
  commit(store, health, objectOf("org", "111122223333", "us-east-1", 1), committed());
  clock.now = T0 + 3 * MIN;
  assert.equal(statusOf(health), "stale");
  health.loopOk("org");
  assert.equal(statusOf(health), "healthy");
  store.close();
});

Deno.test("StoreHealth.onCommit() records last object, event time, lag, counts, accounts and regions", () => {
  const { store, health, clock } = setup();
  commit(store, health, objectOf("org", "111122223333", "us-east-1", 1), committed());
  clock.now = T0 + 2 * MIN;
  const last = objectOf("org", "444455556666", "eu-west-1", 2);
  commit(
    store,
    health,
    last,
    committed({ events: 5, badRecords: 2, ruleErrors: 1, lastEventTime: T0 - MIN }),
  );
  const [view] = healthViews(store, T0 + 4 * MIN);
  assert.equal(view.lastObjectKey, last.uri);
  assert.equal(view.lastObjectAt, new Date(T0 + 2 * MIN).toISOString());
  assert.equal(view.lastEventTime, new Date(T0 - MIN).toISOString());
  assert.equal(view.lagSecs, 300);
  assert.deepEqual(view.lastHour, {
    objects: 2,
    events: 15,
    badRecords: 2,
    ruleErrors: 1,
    errors: 0,
  });
  assert.deepEqual(view.accounts, ["111122223333", "444455556666"]);
  assert.deepEqual(view.regions, ["eu-west-1", "us-east-1"]);
  store.close();
});

Deno.test("recordObjectHealth() keeps hourly buckets for two days, not one row per object", () => {
  const store = openStore(":memory:");
  store.transaction(() => putIntegration(store, integration("org")));
  const update = {
    key: "s3://org-trail/k",
    events: 1,
    badRecords: 0,
    ruleErrors: 0,
    error: null,
    lastEventTime: null,
    account: null,
    region: null,
  };
  for (let i = 0; i < 12 * 72; i++) {
    store.transaction(() => recordObjectHealth(store, "org", update, T0 + i * 5 * MIN));
  }
  const end = T0 + (12 * 72 - 1) * 5 * MIN;
  assert.equal(hourlyBucketCount(store, "org"), 49);
  // The one-hour window spans the current and the previous clock hour.
  assert.equal(windowCounts(store, "org", 3_600_000, end).objects, 24);
  assert.equal(windowCounts(store, "org", 24 * 3_600_000, end).objects, 25 * 12);
  store.close();
});

Deno.test("computeStatus() says disabled for a disabled integration and counts silence from enabling", () => {
  const store = openStore(":memory:");
  const h = getHealth(store, "none");
  assert.equal(
    computeStatus(integration("a", { enabled: false }), h, T0 + 99 * MIN).status,
    "disabled",
  );
  const fresh = integration("a", { enabledAt: T0 + 60 * MIN });
  assert.equal(computeStatus(fresh, h, T0 + 80 * MIN).status, "healthy");
  assert.deepEqual(computeStatus(fresh, h, T0 + 100 * MIN), {
    status: "stale",
    reason: "no object yet for 40m",
  });
  store.close();
});

Deno.test("syncConfigIntegrations() adds, overwrites drifted fields with a warning, and disables removed ones", () => {
  const store = openStore(":memory:");
  const cfg = (overrides: Partial<IntegrationConfig> = {}): IntegrationConfig => {
    const { staleAfterSecs: _s, origin: _o, createdAt: _c, updatedAt: _u, enabledAt: _e, ...c } =
      integration("org", overrides as Partial<IntegrationRecord>);
    return c;
  };
  store.transaction(() =>
    putIntegration(store, integration("org", { prefix: "AWSLogs/o-old/", region: "eu-west-1" }))
  );
  const first = syncConfigIntegrations(store, [cfg()], "iota.yaml", T0);
  assert.deepEqual(first.warnings, [
    'Integration "org" in the state database differs from config "iota.yaml" in prefix, region, origin: using the config file',
  ]);
  assert.equal(getIntegration(store, "org")!.prefix, "AWSLogs/");
  assert.equal(getIntegration(store, "org")!.origin, "config");
  assert.deepEqual(syncConfigIntegrations(store, [cfg()], "iota.yaml", T0).warnings, []);
  const gone = syncConfigIntegrations(store, [], "iota.yaml", T0);
  assert.deepEqual(gone.disabled, ["org"]);
  assert.equal(listIntegrations(store)[0].enabled, false);
  store.close();
});

Deno.test("iota integrations health exits 1 when one is stale and 0 when all are healthy", async () => {
  const dir = await tempDir();
  const state = `${dir.path}/iota.db`;
  try {
    const now = Date.now();
    const store = openStore(state);
    store.transaction(() => {
      putIntegration(store, integration("org", { createdAt: now, enabledAt: now - 3 * 3_600_000 }));
      putIntegration(store, integration("sandbox", { createdAt: now, enabledAt: now }));
      recordObjectHealth(store, "org", {
        key: "s3://org-trail/AWSLogs/k1",
        events: 7,
        badRecords: 0,
        ruleErrors: 0,
        error: null,
        lastEventTime: now - 2 * 3_600_000 - 5 * MIN,
        account: "111122223333",
        region: "us-east-1",
      }, now - 2 * 3_600_000);
    });
    store.close();

    const stale = await runIota(["integrations", "health", "--state", state]);
    assert.equal(stale.code, 1, stale.stderr);
    assert.match(stale.stdout, /^NAME\s+STATUS\s+LAST OBJECT\s+LAG/);
    assert.match(stale.stdout, /\norg\s+stale\s+\S+\s+2h5m\s+0\s+0\s+0\s+no new object for 2h\n/);
    assert.match(stale.stdout, /\nsandbox\s+healthy\s+never\s+-/);
    const json = await runIota(["integrations", "health", "--json", "--state", state]);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout);
    assert.equal(report.healthy, false);
    assert.deepEqual(report.integrations.map((i: { status: string }) => i.status), [
      "stale",
      "healthy",
    ]);
    assert.equal(report.integrations[0].last_24h.events, 7);

    const again = openStore(state);
    again.transaction(() =>
      recordObjectHealth(again, "org", {
        key: "s3://org-trail/AWSLogs/k2",
        events: 3,
        badRecords: 0,
        ruleErrors: 0,
        error: null,
        lastEventTime: Date.now() - 5 * MIN,
        account: "111122223333",
        region: "us-east-1",
      }, Date.now())
    );
    again.close();
    const healthy = await runIota(["integrations", "health", "--json", "--state", state]);
    assert.equal(healthy.code, 0, healthy.stderr);
    assert.equal(JSON.parse(healthy.stdout).healthy, true);
    // A disabled integration does not make the command fail.
    const disable = await runIota(["integrations", "disable", "sandbox", "--state", state]);
    assert.equal(disable.code, 0);
    assert.equal((await runIota(["integrations", "health", "--state", state])).code, 0);
  } finally {
    await dir.cleanup();
  }
});
