/**
 * docs/detections.md is generated from the rule YAML and must be committed up to date.
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import {
  detectionsDoc,
  DOC_PATH,
  renderDetections,
  RULES_DIR,
} from "../scripts/gen_detections_doc.ts";
import { loadRuleSet } from "../src/rules/loader.ts";
import { tempDir } from "./_helpers/mod.ts";

Deno.test("docs/detections.md is what deno task detections-doc writes from the bundled rules", async () => {
  const committed = await Deno.readTextFile(DOC_PATH);
  assert.equal(
    committed,
    await detectionsDoc(),
    "docs/detections.md is out of date: run deno task detections-doc",
  );
});

Deno.test("renderDetections() lists every enabled bundled rule once, with severity and ATT&CK", async () => {
  const doc = await renderDetections();
  const set = await loadRuleSet([RULES_DIR]);
  const enabled = set.rules.filter((r) => r.enabled);
  for (const rule of enabled) {
    const rows = doc.split("\n").filter((line) => line.startsWith(`| \`${rule.id}\` |`));
    assert.equal(rows.length, 1, `${rule.id} has one row`);
    assert.ok(rows[0].includes(`| ${rule.severity} |`), `${rule.id} row shows its severity`);
    const technique = rule.reports["MITRE ATT&CK"][0].split(":")[1];
    assert.ok(rows[0].includes(technique), `${rule.id} row shows ${technique}`);
  }
  assert.match(doc, new RegExp(`iota ships ${enabled.length} enabled CloudTrail rules`));
});

Deno.test("detectionsDoc() changes when a rule's YAML changes, so a stale doc fails the check", async () => {
  const dir = await tempDir();
  try {
    await cp(RULES_DIR, `${dir.path}/rules`, { recursive: true });
    const path = `${dir.path}/rules/aws_cloudtrail/aws_cloudtrail_trail_stopped.yml`;
    const yaml = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, yaml.replace("Severity: High", "Severity: Low"));
    const changed = await detectionsDoc(`${dir.path}/rules`);
    assert.notEqual(changed, await Deno.readTextFile(DOC_PATH));
    assert.match(changed, /\| `AWS\.CloudTrail\.TrailStopped` +\| Low +\|/);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("deno task detections-doc --check exits 0 on the committed doc", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../scripts/gen_detections_doc.ts", import.meta.url).pathname,
      "--check",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /docs\/detections\.md is up to date/);
});
