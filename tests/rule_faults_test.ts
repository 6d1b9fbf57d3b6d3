/**
 * Faulty rules (hanging, raising, printing, exiting, failing to import, looking
 * for credentials) run beside good rules without changing the good rules' alerts.
 */
import assert from "node:assert/strict";
import { writeTree } from "./_helpers/cloudtrail.ts";
import { processWithRules, runIota, storedAlerts, tempDir } from "./_helpers/mod.ts";

const GOOD_RULES = new URL("./rules/good", import.meta.url).pathname;
const CHAOS_RULES = new URL("./rules/chaos", import.meta.url).pathname;

/** Secrets and proxies in iota's own environment that must never reach a rule. */
const SECRET_ENV = {
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: "not-a-real-secret",
  AWS_SESSION_TOKEN: "token",
  HTTPS_PROXY: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  IOTA_SLACK_URL: "http://127.0.0.1:9/secret-hook",
};

Deno.test("faulty rules are isolated: good alerts unchanged, every fault recorded with its reason", async () => {
  const dir = await tempDir();
  try {
    await writeTree(`${dir.path}/in`);
    const run = (name: string, rules: string[]) =>
      processWithRules(dir.path, name, rules, {
        extraArgs: ["--rule-timeout", "2"],
        env: SECRET_ENV,
      });
    const alone = await run("alone", [GOOD_RULES]);
    assert.equal(alone.code, 0, alone.stderr);
    const mixed = await run("mixed", [GOOD_RULES, CHAOS_RULES]);
    assert.equal(mixed.code, 0, mixed.stderr);

    const alerts = async (name: string) =>
      (await storedAlerts(`${dir.path}/${name}/iota.db`)).map((a) =>
        `${a.rule_id} ${a.dedup} ${a.count} ${a.title}`
      ).sort();
    const good = await alerts("alone");
    assert.equal(good.length, 2);
    assert.deepEqual(await alerts("mixed"), good);

    const errors = await runIota([
      "rules",
      "errors",
      "--json",
      "--state",
      `${dir.path}/mixed/iota.db`,
    ]);
    const byRule = new Map<string, { type: string; count: number; message: string }>();
    for (const line of errors.stdout.trim().split("\n")) {
      const e = JSON.parse(line);
      byRule.set(e.rule_id, e);
    }
    assert.deepEqual([...byRule.keys()].sort(), [
      "Chaos.BrokenImport",
      "Chaos.Exits",
      "Chaos.Hangs",
      "Chaos.Raises",
    ]);
    assert.equal(byRule.get("Chaos.Hangs")!.type, "timeout");
    assert.equal(byRule.get("Chaos.Hangs")!.count, 1);
    assert.equal(byRule.get("Chaos.Exits")!.type, "crash");
    assert.equal(byRule.get("Chaos.Exits")!.count, 1);
    assert.equal(byRule.get("Chaos.Raises")!.type, "RuntimeError");
    assert.equal(byRule.get("Chaos.Raises")!.count, 2);
    assert.equal(byRule.get("Chaos.BrokenImport")!.type, "import");
    assert.match(byRule.get("Chaos.BrokenImport")!.message, /broken_import\.py.*SyntaxError/);

    // The credential-seeking rule saw nothing, so it never matched.
    assert.doesNotMatch(mixed.stdout, /visible:/);
    // What the printing rule wrote is logged, and the protocol survived it.
    assert.match(mixed.stderr, /Chaos\.Prints/);
    assert.doesNotMatch(mixed.stderr + mixed.stdout, /not-a-real-secret|secret-hook/);
    const summary = JSON.parse(mixed.stdout.trim().split("\n").pop()!);
    assert.equal(summary.events, 6);
    assert.equal(summary.rule_errors, 5);
  } finally {
    await dir.cleanup();
  }
});
