/**
 * Dedup, threshold, late events, CreateAlert and routing: matches from rules
 * written for each test go through `applyMatches` into a real SQLite store,
 * and the stored alerts, pending windows and outbox rows are checked exactly.
 */
import assert from "node:assert/strict";
import { openStore, type Store } from "../src/store/db.ts";
import { applyMatches, type DedupOptions } from "../src/alerts/dedup.ts";
import { getAlert, listAlerts } from "../src/store/alerts.ts";
import { deliveriesOf, dueDeliveries } from "../src/store/outbox.ts";
import type { RuleMatch, RuleMeta } from "../src/rules/types.ts";
import { match, ruleMeta } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const MIN = 60_000;
const ROUTING: DedupOptions = {
  outputs: new Set(["stdout", "slack", "pager", "archive"]),
  defaultOutputs: ["stdout", "archive"],
};

/** Applies each group of matches in its own transaction, like one source object each. */
function run(store: Store, rules: RuleMeta[], ...objects: RuleMatch[][]) {
  const map = new Map(rules.map((r) => [r.id, r]));
  return objects.map((ms) => store.transaction(() => applyMatches(store, ms, map, ROUTING)));
}

function withStore(fn: (s: Store) => void): () => void {
  return () => {
    const s = openStore(":memory:");
    try {
      fn(s);
    } finally {
      s.close();
    }
  };
}

Deno.test(
  "applyMatches() counts every match of a key inside the window in one alert and keeps the first samples",
  withStore((s) => {
    const rule = ruleMeta("Test.Dedup", { dedupPeriodMinutes: 60 });
    const ms = Array.from({ length: 14 }, (_, i) => match(rule.id, T0 + i * 4 * MIN, `row-${i}`));
    const [r] = run(s, [rule], ms);
    assert.equal(r.fired.length, 1);
    const alerts = listAlerts(s);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].matchCount, 14);
    assert.equal(alerts[0].firstEventTime, T0);
    assert.equal(alerts[0].lastEventTime, T0 + 52 * MIN);
    // Ten samples, the earliest events, with their JSON.
    assert.deepEqual(alerts[0].sampleRowIds, ms.slice(0, 10).map((m) => m.rowId));
    assert.equal(JSON.parse(alerts[0].sampleEvents[0]).p_row_id, "row-0");
  }),
);

Deno.test(
  "applyMatches() opens a new alert for a match at or after the window's end",
  withStore((s) => {
    const rule = ruleMeta("Test.Window", { dedupPeriodMinutes: 30 });
    run(s, [rule], [
      match(rule.id, T0, "a"),
      match(rule.id, T0 + 29 * MIN, "b"),
      match(rule.id, T0 + 30 * MIN, "c"),
      match(rule.id, T0 + 45 * MIN, "d"),
    ]);
    const counts = listAlerts(s).map((a) => [a.firstEventTime, a.matchCount]).sort();
    assert.deepEqual(counts, [[T0, 2], [T0 + 30 * MIN, 2]]);
  }),
);

Deno.test(
  "applyMatches() keeps separate alerts for separate dedup strings and rules",
  withStore((s) => {
    const r1 = ruleMeta("Test.One");
    const r2 = ruleMeta("Test.Two");
    run(s, [r1, r2], [
      match(r1.id, T0, "a", { dedup: "alice" }),
      match(r1.id, T0 + MIN, "b", { dedup: "bob" }),
      match(r2.id, T0 + MIN, "b", { dedup: "alice" }),
    ]);
    assert.equal(listAlerts(s).length, 3);
  }),
);

Deno.test(
  "applyMatches() with Threshold 3 keeps two matches as a pending count, not an alert",
  withStore((s) => {
    const rule = ruleMeta("Test.Threshold", { threshold: 3 });
    const [r] = run(s, [rule], [match(rule.id, T0, "a"), match(rule.id, T0 + 5 * MIN, "b")]);
    assert.equal(r.fired.length, 0);
    assert.equal(r.pending, 2);
    assert.equal(listAlerts(s).length, 0);
    assert.equal(dueDeliveries(s, Date.now() + 1).length, 0);
    const windows = listAlerts(s, { unfired: true });
    assert.equal(windows.length, 1);
    assert.equal(windows[0].matchCount, 2);
  }),
);

Deno.test(
  "applyMatches() creates the alert when the Threshold-th match lands inside the window",
  withStore((s) => {
    const rule = ruleMeta("Test.Threshold", { threshold: 3 });
    const results = run(
      s,
      [rule],
      [match(rule.id, T0, "a"), match(rule.id, T0 + 5 * MIN, "b")],
      [match(rule.id, T0 + 59 * MIN, "c"), match(rule.id, T0 + 59.5 * MIN, "d")],
    );
    assert.deepEqual(results.map((r) => r.fired.length), [0, 1]);
    const alerts = listAlerts(s);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].matchCount, 4);
    assert.equal(listAlerts(s, { unfired: true }).length, 0);
    assert.equal(deliveriesOf(s, alerts[0].id).length, 2);
  }),
);

Deno.test(
  "applyMatches() does not fire when the Threshold is only reached across two windows",
  withStore((s) => {
    const rule = ruleMeta("Test.Threshold", { threshold: 3, dedupPeriodMinutes: 10 });
    run(s, [rule], [
      match(rule.id, T0, "a"),
      match(rule.id, T0 + 9 * MIN, "b"),
      match(rule.id, T0 + 10 * MIN, "c"),
    ]);
    assert.equal(listAlerts(s).length, 0);
    const windows = listAlerts(s, { unfired: true }).map((w) => w.matchCount).sort();
    assert.deepEqual(windows, [1, 2]);
  }),
);

Deno.test(
  "applyMatches() puts a late event into the older window it falls in, not the newest open one",
  withStore((s) => {
    const rule = ruleMeta("Test.Late", { dedupPeriodMinutes: 60 });
    run(
      s,
      [rule],
      [match(rule.id, T0, "a"), match(rule.id, T0 + 90 * MIN, "b")],
      [match(rule.id, T0 + 30 * MIN, "late")],
    );
    const alerts = listAlerts(s).sort((x, y) => x.firstEventTime - y.firstEventTime);
    assert.deepEqual(alerts.map((a) => a.matchCount), [2, 1]);
    assert.deepEqual(alerts[0].sampleRowIds, ["a", "late"]);
  }),
);

Deno.test(
  "applyMatches() moves a window back to a late event less than one period before it",
  withStore((s) => {
    const rule = ruleMeta("Test.Late", { dedupPeriodMinutes: 60 });
    // Live order: b (10:20) arrives first, then the late a (10:00), then c (11:10).
    run(
      s,
      [rule],
      [match(rule.id, T0 + 20 * MIN, "b")],
      [match(rule.id, T0, "a")],
      [match(rule.id, T0 + 70 * MIN, "c")],
    );
    const live = listAlerts(s).map((a) => [a.firstEventTime, a.matchCount]).sort();
    // In event order, a opens 10:00–11:00 and c opens the next window: the same two alerts.
    const sorted = openStore(":memory:");
    run(sorted, [rule], [
      match(rule.id, T0, "a"),
      match(rule.id, T0 + 20 * MIN, "b"),
      match(rule.id, T0 + 70 * MIN, "c"),
    ]);
    const backfill = listAlerts(sorted).map((a) => [a.firstEventTime, a.matchCount]).sort();
    sorted.close();
    assert.deepEqual(live, [[T0, 2], [T0 + 70 * MIN, 1]]);
    assert.deepEqual(live, backfill);
  }),
);

Deno.test(
  "applyMatches() opens its own window for an event more than one period before any window",
  withStore((s) => {
    const rule = ruleMeta("Test.Late", { dedupPeriodMinutes: 60 });
    run(s, [rule], [match(rule.id, T0 + 120 * MIN, "b")], [match(rule.id, T0, "a")]);
    assert.deepEqual(listAlerts(s).map((a) => a.matchCount), [1, 1]);
  }),
);

Deno.test(
  "applyMatches() records matches of a CreateAlert: false rule without alerting",
  withStore((s) => {
    const rule = ruleMeta("Test.Quiet", { createAlert: false });
    const [r] = run(s, [rule], [match(rule.id, T0, "a"), match(rule.id, T0 + MIN, "b")]);
    assert.equal(r.fired.length, 0);
    assert.equal(r.pending, 2);
    assert.equal(listAlerts(s).length, 0);
    assert.equal(dueDeliveries(s, Date.now() + 1).length, 0);
    const windows = listAlerts(s, { unfired: true });
    assert.equal(windows.length, 1);
    assert.equal(windows[0].matchCount, 2);
  }),
);

Deno.test(
  "applyMatches() takes severity, title, description, reference and runbook from the first match's functions",
  withStore((s) => {
    const rule = ruleMeta("Test.Overrides", {
      severity: "Low",
      description: "yaml description",
      reference: "https://example.com/yaml",
      runbook: "yaml runbook",
    });
    run(s, [rule], [
      match(rule.id, T0, "a", {
        severity: "Critical",
        title: "Root console login from 203.0.113.9",
        description: "from description()",
        runbook: "from runbook()",
      }),
      match(rule.id, T0 + MIN, "b", { severity: "Info", title: "a later title" }),
    ]);
    const [a] = listAlerts(s);
    assert.equal(a.severity, "Critical");
    assert.equal(a.title, "Root console login from 203.0.113.9");
    assert.equal(a.description, "from description()");
    assert.equal(a.reference, "https://example.com/yaml");
    assert.equal(a.runbook, "from runbook()");
    assert.equal(a.matchCount, 2);
  }),
);

Deno.test(
  "applyMatches() keeps the YAML severity and texts when the rule has no such functions",
  withStore((s) => {
    const rule = ruleMeta("Test.Yaml", {
      description: "yaml description",
      runbook: "yaml runbook",
    });
    run(s, [rule], [match(rule.id, T0, "a", { severity: "High" })]);
    const [a] = listAlerts(s);
    assert.equal(a.severity, "High");
    assert.equal(a.description, "yaml description");
    assert.equal(a.runbook, "yaml runbook");
  }),
);

Deno.test(
  "applyMatches() routes by destinations(), then OutputIds, then the default outputs",
  withStore((s) => {
    const byDestinations = ruleMeta("Test.Dest", { outputIds: ["slack"] });
    const byOutputIds = ruleMeta("Test.OutputIds", { outputIds: ["pager", "slack"] });
    const byDefault = ruleMeta("Test.Default");
    run(s, [byDestinations, byOutputIds, byDefault], [
      match(byDestinations.id, T0, "a", { destinations: ["pager"] }),
      match(byOutputIds.id, T0, "b"),
      match(byDefault.id, T0, "c"),
    ]);
    const outputsOf = (ruleId: string) => {
      const [a] = listAlerts(s, { ruleId });
      return deliveriesOf(s, a.id).map((d) => d.output);
    };
    assert.deepEqual(outputsOf(byDestinations.id), ["pager"]);
    assert.deepEqual(outputsOf(byOutputIds.id), ["pager", "slack"]);
    assert.deepEqual(outputsOf(byDefault.id), ["archive", "stdout"]);
  }),
);

Deno.test(
  "applyMatches() sends an alert whose destinations() names no configured output to the defaults",
  withStore((s) => {
    const rule = ruleMeta("Test.Unknown");
    run(s, [rule], [match(rule.id, T0, "a", { destinations: ["nowhere"] })]);
    const [a] = listAlerts(s);
    assert.deepEqual(a.destinations, ["stdout", "archive"]);
    assert.equal(deliveriesOf(s, a.id).length, 2);
  }),
);

Deno.test(
  "applyMatches() queues an alert's deliveries once, however many matches follow",
  withStore((s) => {
    const rule = ruleMeta("Test.Once");
    run(s, [rule], [match(rule.id, T0, "a")], [match(rule.id, T0 + MIN, "b")], [
      match(rule.id, T0 + 2 * MIN, "c"),
    ]);
    const [a] = listAlerts(s);
    assert.equal(a.matchCount, 3);
    assert.equal(deliveriesOf(s, a.id).length, 2);
    assert.equal(getAlert(s, a.id)?.fired, true);
  }),
);
