import assert from "node:assert/strict";
import { openStore } from "../src/store/db.ts";
import { applyMatches, routeAlert } from "../src/alerts/dedup.ts";
import { listAlerts } from "../src/store/alerts.ts";
import { dueDeliveries } from "../src/store/outbox.ts";
import { match, ruleMeta } from "./_helpers/mod.ts";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const MIN = 60_000;
const opts = { outputs: new Set(["stdout", "slack"]), defaultOutputs: ["stdout"] };

Deno.test("applyMatches() merges matches of one key inside the dedup window into one alert", () => {
  const s = openStore(":memory:");
  const rules = new Map([["R", ruleMeta("R")]]);
  const r = s.transaction(() =>
    applyMatches(
      s,
      [match("R", T0, "a"), match("R", T0 + 10 * MIN, "b"), match("R", T0 + 59 * MIN, "c")],
      rules,
      opts,
    )
  );
  assert.equal(r.fired.length, 1);
  const alerts = listAlerts(s);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].matchCount, 3);
  assert.equal(alerts[0].lastEventTime, T0 + 59 * MIN);
  assert.equal(dueDeliveries(s, Date.now() + 1).length, 1);
  s.close();
});

Deno.test("applyMatches() opens a new alert after the window and for another dedup string", () => {
  const s = openStore(":memory:");
  const rules = new Map([["R", ruleMeta("R", { dedupPeriodMinutes: 30 })]]);
  s.transaction(() =>
    applyMatches(
      s,
      [
        match("R", T0, "a"),
        match("R", T0 + 30 * MIN, "b"),
        match("R", T0 + 5 * MIN, "c", { dedup: "actor-2" }),
      ],
      rules,
      opts,
    )
  );
  assert.equal(listAlerts(s).length, 3);
  s.close();
});

Deno.test("applyMatches() gives the same result whether matches arrive in one call or across objects", () => {
  const rules = new Map([["R", ruleMeta("R")]]);
  const ms = [match("R", T0 + 20 * MIN, "b"), match("R", T0, "a"), match("R", T0 + 90 * MIN, "c")];
  const one = openStore(":memory:");
  one.transaction(() => applyMatches(one, ms, rules, opts));
  const two = openStore(":memory:");
  for (const m of ms) two.transaction(() => applyMatches(two, [m], rules, opts));
  const shape = (s: typeof one) =>
    listAlerts(s).map((a) => [a.firstEventTime, a.lastEventTime, a.matchCount]).sort();
  // "b" arrived before "a" in the second store: the late event joined b's window.
  assert.deepEqual(shape(two), shape(one));
  assert.deepEqual(shape(one), [[T0, T0 + 20 * MIN, 2], [T0 + 90 * MIN, T0 + 90 * MIN, 1]]);
  one.close();
  two.close();
});

Deno.test("applyMatches() fires only when Threshold matches are in the window", () => {
  const s = openStore(":memory:");
  const rules = new Map([["R", ruleMeta("R", { threshold: 3 })]]);
  const first = s.transaction(() =>
    applyMatches(s, [match("R", T0, "a"), match("R", T0 + MIN, "b")], rules, opts)
  );
  assert.equal(first.fired.length, 0);
  assert.equal(listAlerts(s).length, 0);
  const second = s.transaction(() => applyMatches(s, [match("R", T0 + 2 * MIN, "c")], rules, opts));
  assert.equal(second.fired.length, 1);
  assert.equal(listAlerts(s)[0].matchCount, 3);
  s.close();
});

Deno.test("applyMatches() does not count the same event twice", () => {
  const s = openStore(":memory:");
  const rules = new Map([["R", ruleMeta("R")]]);
  s.transaction(() => applyMatches(s, [match("R", T0, "a")], rules, opts));
  s.transaction(() => applyMatches(s, [match("R", T0, "a")], rules, opts));
  assert.equal(listAlerts(s)[0].matchCount, 1);
  s.close();
});

Deno.test("routeAlert() prefers destinations(), then OutputIds, then defaults, dropping unknown names", () => {
  const rule = ruleMeta("R", { outputIds: ["slack"] });
  assert.deepEqual(routeAlert(["stdout"], rule, opts), ["stdout"]);
  assert.deepEqual(routeAlert(null, rule, opts), ["slack"]);
  assert.deepEqual(routeAlert(null, ruleMeta("R"), opts), ["stdout"]);
  assert.deepEqual(routeAlert(["nowhere"], ruleMeta("R"), opts), ["stdout"]);
});

Deno.test("applyMatches() records an alert whose destinations() say SKIP but delivers it nowhere", () => {
  const s = openStore(":memory:");
  const rules = new Map([["R", ruleMeta("R", { outputIds: ["slack"] })]]);
  s.transaction(() =>
    applyMatches(s, [match("R", T0, "a", { destinations: ["SKIP"] })], rules, opts)
  );
  const [alert] = listAlerts(s);
  assert.equal(alert.matchCount, 1);
  assert.deepEqual(routeAlert(["SKIP", "slack"], ruleMeta("R"), opts), []);
  assert.equal(dueDeliveries(s, Date.now() + 1).length, 0);
  s.close();
});
