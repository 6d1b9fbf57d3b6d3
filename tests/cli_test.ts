import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildCli, runCli } from "../src/cli/mod.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

const FIXTURES = new URL("./fixtures", import.meta.url).pathname;

function walk(cmd: Command, path: string[] = []): [string[], Command][] {
  const out: [string[], Command][] = [[path, cmd]];
  for (const c of cmd.commands) out.push(...walk(c, [...path, c.name()]));
  return out;
}

Deno.test("buildCli() has the command tree of DESIGN.md, each with a description and help", () => {
  const names = walk(buildCli()).map(([p]) => p.join(" ")).filter((n) => n !== "");
  for (
    const expected of [
      "serve",
      "process",
      "backfill",
      "rules test",
      "rules list",
      "rules validate",
      "rules errors",
      "integrations add",
      "integrations list",
      "integrations show",
      "integrations update",
      "integrations enable",
      "integrations disable",
      "integrations remove",
      "integrations discover",
      "integrations health",
      "alerts list",
      "alerts show",
      "alerts retry",
      "lake ddl",
      "lake query",
      "status",
    ]
  ) {
    assert.ok(names.includes(expected), `missing command "${expected}"`);
  }
  for (const [path, cmd] of walk(buildCli())) {
    assert.notEqual(cmd.description(), "", `no description for "${path.join(" ")}"`);
    assert.match(cmd.helpInformation(), /^Usage: /);
  }
});

Deno.test("runCli() exits 2 for missing config, missing required flags, unknown commands and bad flags", async () => {
  assert.equal(await runCli(["serve"]), 2);
  assert.equal(await runCli(["lake", "ddl", "--engine", "oracle"]), 2);
  assert.equal(await runCli(["integrations", "add", "org-trail"]), 2);
  assert.equal(await runCli(["no-such-command"]), 2);
  assert.equal(await runCli(["process"]), 2);
  assert.equal(await runCli(["process", "x", "--workers", "zero"]), 2);
  assert.equal(await runCli(["process", "/no/such/path"]), 2);
});

Deno.test("iota --help and iota process --help exit 0 and print usage with examples", async () => {
  const top = await runIota(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Usage: iota/);
  const proc = await runIota(["process", "--help"]);
  assert.equal(proc.code, 0);
  assert.match(proc.stdout, /Examples:/);
  const bad = await runIota(["serve"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"iota serve" needs --config FILE/);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
});

Deno.test("iota process exits 2 with one line when start-up fails after Python has started", async () => {
  const dir = await tempDir();
  try {
    // Python workers start before the rules load; a rule routed to an unknown output
    // stops start-up after that, and the workers must go with it.
    await Deno.writeTextFile(
      `${dir.path}/x.yml`,
      "AnalysisType: rule\nRuleID: Test.X\nFilename: x.py\nLogTypes: [AWS.CloudTrail]\n" +
        "Severity: High\nOutputIds: [pager]\n",
    );
    await Deno.writeTextFile(`${dir.path}/x.py`, "def rule(event):\n    return False\n");
    const r = await runIota([
      "process",
      FIXTURES,
      "--rules",
      dir.path,
      "--state",
      `${dir.path}/iota.db`,
      "--lake",
      `${dir.path}/lake`,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      'iota error: Invalid rule "Test.X": OutputIds: output "pager" is not configured ' +
        "(configured: stdout)",
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process names the rule engine when Python cannot be started", async () => {
  const dir = await tempDir();
  try {
    const r = await runIota(
      ["process", FIXTURES, "--state", `${dir.path}/iota.db`, "--lake", `${dir.path}/lake`],
      { env: { IOTA_PYTHON: `${dir.path}/no-such-python3` } },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr.trim(),
      /^iota error: Cannot start the Python rule engine: Failed to spawn '.*no-such-python3': No such file or directory/,
    );
  } finally {
    await dir.cleanup();
  }
});
