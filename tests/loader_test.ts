import assert from "node:assert/strict";
import { loadRuleSet, withoutTestsBlock } from "../src/rules/loader.ts";
import { tempDir } from "./_helpers/mod.ts";

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
}

Deno.test("loadRuleSet() reads rules, helpers and data models and skips other analysis types", async () => {
  const dir = await tempDir();
  try {
    await write(dir.path, {
      "rules/a.yml": `AnalysisType: rule
RuleID: Test.A
Filename: a.py
Enabled: true
LogTypes: [AWS.CloudTrail]
Severity: high
DedupPeriodMinutes: 15
Threshold: 2
OutputIds: [slack]
CustomKey: kept
Tests:
  - Name: one
    ExpectedResult: true
    Log: {"eventName": "X"}
    Mocks:
      - objectName: helper
        returnValue: "true"
`,
      "rules/b.yml": "AnalysisType: policy\nPolicyID: P\n",
      "rules/c.yml": "AnalysisType: scheduled_rule\nRuleID: S\n",
      "helpers/g.yml": "AnalysisType: global\nGlobalID: g\nFilename: g.py\n",
      "models/dm.yml":
        "AnalysisType: datamodel\nDataModelID: DM\nLogTypes: [AWS.CloudTrail]\nEnabled: true\nMappings:\n  - Name: source_ip\n    Path: sourceIPAddress\n",
      "notes.yml": "just: a config file\n",
    });
    const set = await loadRuleSet([dir.path]);
    assert.equal(set.rules.length, 1);
    const r = set.rules[0];
    assert.equal(r.id, "Test.A");
    assert.equal(r.severity, "High");
    assert.equal(r.dedupPeriodMinutes, 15);
    assert.equal(r.threshold, 2);
    assert.deepEqual(r.outputIds, ["slack"]);
    assert.equal(r.raw.CustomKey, "kept");
    assert.equal(r.pyPath, `${dir.path}/rules/a.py`);
    assert.deepEqual(r.tests[0].mocks, [{ objectName: "helper", returnValue: "true" }]);
    assert.deepEqual(set.helperDirs, [`${dir.path}/helpers`]);
    assert.equal(set.dataModels[0].mappings[0].path, "sourceIPAddress");
    assert.deepEqual(set.skipped, { policy: 1, scheduled_rule: 1, "(not analysis)": 1 });
    assert.deepEqual(set.problems, []);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("loadRuleSet() reports bad files by path and keeps loading the rest", async () => {
  const dir = await tempDir();
  try {
    await write(dir.path, {
      "bad_yaml.yml": "AnalysisType: rule\nRuleID: [unclosed\n",
      "bad_sev.yml": "AnalysisType: rule\nRuleID: X.Sev\nFilename: x.py\nSeverity: Urgent\n",
      "no_file.yml": "AnalysisType: rule\nRuleID: X.NoFile\nSeverity: Low\n",
      "dup1.yml": "AnalysisType: rule\nRuleID: X.Dup\nFilename: d.py\nSeverity: Low\n",
      "dup2.yml": "AnalysisType: rule\nRuleID: X.Dup\nFilename: d.py\nSeverity: Low\n",
      "filtered.yml":
        "AnalysisType: rule\nRuleID: X.Filtered\nFilename: d.py\nSeverity: Low\nInlineFilters:\n  - All:\n      - KeyPath: eventName\n        Condition: Equals\n        Value: X\n",
      "no_filters.yml":
        "AnalysisType: rule\nRuleID: X.NoFilters\nFilename: d.py\nSeverity: Low\nInlineFilters:\n  - All: []\n",
      "simple.yml":
        "AnalysisType: rule\nRuleID: X.Simple\nSeverity: Low\nDetection:\n  - Key: eventName\n",
    });
    const set = await loadRuleSet([dir.path]);
    assert.deepEqual(set.rules.map((r) => r.id), ["X.Dup", "X.NoFilters"]);
    const messages = set.problems.map((p) => `${p.path.split("/").pop()}: ${p.message}`).sort();
    assert.equal(messages.length, 6);
    assert.match(messages[0], /^bad_sev\.yml: rule "X\.Sev": unknown Severity "Urgent"/);
    assert.match(messages[1], /^bad_yaml\.yml: invalid YAML/);
    assert.match(messages[2], /^dup2\.yml: duplicate RuleID "X\.Dup"/);
    assert.match(messages[3], /^filtered\.yml: rule "X\.Filtered": InlineFilters with conditions/);
    assert.match(messages[4], /^no_file\.yml: rule "X\.NoFile": missing Filename/);
    assert.match(messages[5], /^simple\.yml: rule "X\.Simple": simple detections .* not supported/);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("withoutTestsBlock() cuts only the top-level Tests block", () => {
  const rule = `AnalysisType: rule
RuleID: Test.A
Tests:
- Name: one
  ExpectedResult: true
  Log:
    {
      "eventName": "X"
    }
  # a comment inside
  - Name: two
    Log: {"a": 1}
Severity: High
`;
  assert.equal(
    withoutTestsBlock(rule),
    "AnalysisType: rule\nRuleID: Test.A\nSeverity: High\n",
  );
  // Tests last: cut to the end.
  assert.equal(
    withoutTestsBlock("RuleID: A\nTests:\n  - Name: x\n"),
    "RuleID: A\n",
  );
  // A key that only starts with "Tests" is not the block; nested Tests keys are kept.
  const nested = "RuleID: A\nTestsExtra: 1\nDetection:\n  Tests: 2\n";
  assert.equal(withoutTestsBlock(nested), nested);
  // Doubt keeps the text whole: two Tests lines, a document marker inside.
  const twice = "Tests: []\nRuleID: A\nTests: []\n";
  assert.equal(withoutTestsBlock(twice), twice);
  const marker = "RuleID: A\nTests:\n- Name: x\n---\nRuleID: B\n";
  assert.equal(withoutTestsBlock(marker), marker);
});

Deno.test("loadRuleSet() without tests gives the same rules, data models and problems", async () => {
  const dirs = [
    new URL("../rules", import.meta.url).pathname,
    new URL("./community", import.meta.url).pathname,
    new URL("./rules", import.meta.url).pathname,
  ];
  const whole = await loadRuleSet(dirs);
  const lean = await loadRuleSet(dirs, [], { tests: false });
  assert.ok(whole.rules.length > 100, `rules: ${whole.rules.length}`);
  assert.ok(whole.rules.some((r) => r.tests.length > 0));
  assert.ok(lean.rules.every((r) => r.tests.length === 0));
  assert.deepEqual(
    lean.rules,
    whole.rules.map((r) => {
      const raw = { ...r.raw };
      delete raw.Tests;
      return { ...r, tests: [], raw };
    }),
  );
  assert.deepEqual(lean.dataModels, whole.dataModels);
  assert.deepEqual(lean.helperDirs, whole.helperDirs);
  assert.deepEqual(lean.skipped, whole.skipped);
  assert.deepEqual(lean.problems, whole.problems);
});
