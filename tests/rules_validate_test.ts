import assert from "node:assert/strict";
import { formatProblem, validateAnalysisTrees } from "../src/rules/validate.ts";
import { runIota, tempDir } from "./_helpers/mod.ts";

const GOOD_RULE = `AnalysisType: rule
RuleID: Test.Good
Filename: good.py
Enabled: true
LogTypes:
  - AWS.CloudTrail
Severity: High
Tests:
  - Name: matches
    ExpectedResult: true
    Log: {"eventName": "StopLogging"}
  - Name: json string log
    ExpectedResult: false
    Log: '{"eventName": "GetObject"}'
    Mocks:
      - objectName: helper
        returnValue: false
`;

const BAD_RULE = `AnalysisType: rule
RuleID: Test.Good
Filename: missing.py
LogTypes: [AWS.CloudTrail]
Severity: Severe
DedupPeriodMinutes: -5
Enabled: "yes"
Tests:
  - Name: no expectation
    Log: {"eventName": "x"}
  - Name: bad mock
    ExpectedResult: true
    Log: {"eventName": "x"}
    Mocks:
      - returnValue: 1
`;

/** Writes `files` under a new temp dir and returns it. */
async function tree(files: Record<string, string>) {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir.path}/${name}`, text);
  }
  return dir;
}

Deno.test("validateAnalysisTrees() accepts a well-formed rule with mocks and JSON string logs", async () => {
  const dir = await tree({ "good.yml": GOOD_RULE, "good.py": "def rule(e):\n    return True\n" });
  try {
    const report = await validateAnalysisTrees([dir.path]);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.types, { rule: 1 });
  } finally {
    await dir.cleanup();
  }
});

Deno.test("validateAnalysisTrees() reports each schema problem at its line", async () => {
  const dir = await tree({
    "good.yml": GOOD_RULE,
    "good.py": "def rule(e):\n    return True\n",
    "bad.yml": BAD_RULE,
  });
  try {
    const report = await validateAnalysisTrees([dir.path]);
    const bad = `${dir.path}/bad.yml`;
    const lines = report.problems.map(formatProblem);
    assert.deepEqual(lines, [
      `${bad}:3: Filename "missing.py" does not exist`,
      `${bad}:5: unknown Severity "Severe" (expected one of Info, Low, Medium, High, Critical)`,
      `${bad}:6: DedupPeriodMinutes must be a positive whole number, got -5`,
      `${bad}:7: Enabled must be true or false, got "yes"`,
      `${bad}:9: test "no expectation" has no ExpectedResult`,
      `${bad}:15: test "bad mock": each mock needs an objectName`,
      `${dir.path}/good.yml:2: duplicate RuleID "Test.Good" (also in ${bad}:2)`,
    ]);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("validateAnalysisTrees() reports a missing Filename and invalid YAML with lines", async () => {
  const dir = await tree({
    "nofile.yml":
      "AnalysisType: rule\nRuleID: Test.NoFile\nSeverity: Low\nLogTypes: [AWS.CloudTrail]\n",
    "broken.yml": "AnalysisType: rule\nRuleID: [unclosed\n",
    "odd.yml": "AnalysisType: detection\nRuleID: X\n",
    "simple.yml":
      "AnalysisType: rule\nRuleID: Test.Simple\nSeverity: Low\nLogTypes: [AWS.CloudTrail]\nDetection:\n  - Key: eventName\n",
    "filtered.yml":
      "AnalysisType: rule\nRuleID: Test.Filtered\nFilename: odd.yml\nSeverity: Low\nLogTypes: [AWS.CloudTrail]\nInlineFilters:\n  - All:\n      - KeyPath: eventName\n        Condition: Equals\n        Value: X\n",
  });
  try {
    const report = await validateAnalysisTrees([dir.path]);
    const byFile = Object.fromEntries(
      report.problems.map((p) => [p.path.split("/").pop(), `${p.line}: ${p.message}`]),
    );
    assert.equal(byFile["nofile.yml"], "1: missing Filename");
    assert.match(byFile["broken.yml"], /^\d+: invalid YAML: /);
    assert.match(byFile["odd.yml"], /^1: unknown AnalysisType "detection"/);
    assert.equal(
      byFile["simple.yml"],
      "5: simple detections (Detection without a Python Filename) are not supported",
    );
    assert.equal(byFile["filtered.yml"], "6: InlineFilters with conditions are not supported");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("validateAnalysisTrees() checks data model mappings and counts skipped types", async () => {
  const dir = await tree({
    "dm.yml": `AnalysisType: datamodel
DataModelID: Test.DM
LogTypes: [AWS.CloudTrail]
Mappings:
  - Name: actor_user
    Method: get_actor
  - Name: source_ip
    Path: $.sourceIPAddress
    Method: both
`,
    "policy.yml":
      "AnalysisType: policy\nPolicyID: P.One\nFilename: p.py\nSeverity: Low\nTests:\n  - Name: on\n    ExpectedResult: true\n    Resource: {Versioning: Enabled}\n",
    "p.py": "def policy(r):\n    return True\n",
    "query.yml": "AnalysisType: scheduled_query\nQueryName: Q\n",
  });
  try {
    const report = await validateAnalysisTrees([dir.path]);
    assert.deepEqual(report.problems.map((p) => `${p.line}: ${p.message}`), [
      '5: mapping "actor_user" uses a Method but the data model has no Filename',
      '7: mapping "source_ip" needs exactly one of Path and Method',
    ]);
    assert.deepEqual(report.types, { datamodel: 1, policy: 1, scheduled_query: 1 });
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota rules validate prints file:line problems and exits 1, 0 when clean", async () => {
  const dir = await tree({
    "good.yml": GOOD_RULE,
    "good.py": "def rule(e):\n    return True\n",
    "bad.yml": BAD_RULE,
  });
  try {
    const bad = await runIota(["rules", "validate", "--rules", dir.path, "--state", ":memory:"]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /bad\.yml:5: unknown Severity "Severe"/);
    assert.match(bad.stdout, /2 analysis files checked \(2 rule\), 7 problems/);
    await Deno.remove(`${dir.path}/bad.yml`);
    const good = await runIota(["rules", "validate", "--rules", dir.path, "--state", ":memory:"]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /1 analysis files checked \(1 rule\), 0 problems/);
  } finally {
    await dir.cleanup();
  }
});
