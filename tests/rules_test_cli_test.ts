import assert from "node:assert/strict";
import { processWithRules, runIota, storedAlerts, tempDir } from "./_helpers/mod.ts";
import { record, writeTrailFile } from "./_helpers/cloudtrail.ts";

/** A rule YAML with the given tests (YAML text indented under `Tests:`). */
function ruleYaml(id: string, file: string, tests: string): string {
  return `AnalysisType: rule
RuleID: ${id}
Filename: ${file}
Enabled: true
LogTypes: [AWS.CloudTrail]
Severity: Medium
Tests:
${tests}`;
}

const TREE: Record<string, string> = {
  "admin.py": `ADMINS = {"root"}


def is_admin(name):
    return name in ADMINS


def rule(event):
    return is_admin(event.get("user"))


def title(event):
    if event.get("breakTitle"):
        return event["noSuchField"]
    return f"Admin {event.get('user')}"
`,
  "admin.yml": ruleYaml(
    "Test.Admin",
    "admin.py",
    `  - Name: root
    ExpectedResult: true
    Log: {"user": "root"}
  - Name: bob
    ExpectedResult: false
    Log: {"user": "bob"}
  - Name: bob mocked as admin
    ExpectedResult: true
    Log: {"user": "bob"}
    Mocks:
      - objectName: is_admin
        returnValue: true
  - Name: mock of a name the module lacks
    ExpectedResult: true
    Log: {"user": "root"}
    Mocks:
      - objectName: not_there
        returnValue: true
  - Name: title raises
    ExpectedResult: true
    Log: {"user": "root", "breakTitle": true}
`,
  ),
  "wrong_type.py": `def rule(event):
    return event.get("user")
`,
  "wrong_type.yml": ruleYaml(
    "Test.WrongType",
    "wrong_type.py",
    `  - Name: returns a string
    ExpectedResult: true
    Log: {"user": "root"}
`,
  ),
  "needs_jwt.py": `import jwt  # noqa: F401


def rule(event):
    return True
`,
  "needs_jwt.yml": ruleYaml(
    "Test.NeedsJwt",
    "needs_jwt.py",
    `  - Name: any
    ExpectedResult: true
    Log: {"user": "root"}
`,
  ),
  "untested.py": "def rule(event):\n    return False\n",
  "untested.yml": `AnalysisType: rule
RuleID: Test.Untested
Filename: untested.py
LogTypes: [AWS.CloudTrail]
Severity: Low
`,
};

async function writeTree(): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(TREE)) {
    await Deno.writeTextFile(`${dir.path}/${name}`, text);
  }
  return dir;
}

/** `iota rules test` over the rules tree `dir` with an in-memory state, plus `args`. */
function rulesTest(dir: string, ...args: string[]) {
  return runIota(["rules", "test", "--rules", dir, "--state", ":memory:", ...args]);
}

async function pythonHas(module: string): Promise<boolean> {
  const out = await new Deno.Command("python3", {
    args: ["-c", `import ${module}`],
    stderr: "null",
  })
    .output();
  return out.success;
}

Deno.test("iota rules test reports every failure kind, the coverage line and missing packages", async () => {
  const dir = await writeTree();
  try {
    const res = await rulesTest(dir.path);
    assert.equal(res.code, 1, res.stderr);
    const out = res.stdout;
    assert.match(
      out,
      /FAIL Test\.Admin \/ mock of a name the module lacks: mock target 'not_there' not found in rule module/,
    );
    assert.match(
      out,
      /FAIL Test\.Admin \/ title raises: title raised KeyError: 'noSuchField' \(admin\.py:14 in title: return event\["noSuchField"\]\)/,
    );
    assert.match(
      out,
      /FAIL Test\.WrongType \/ returns a string: rule\(\) must return a bool, got str/,
    );
    assert.doesNotMatch(out, /FAIL Test\.Admin \/ (root|bob)/);
    assert.match(
      out,
      /rules: 4, with tests: 3, with a true and a false test: 1\n/,
    );
    if (!(await pythonHas("jwt"))) {
      assert.match(out, /FAIL Test\.NeedsJwt \/ any: rule failed to load: ModuleNotFoundError/);
      assert.match(
        out,
        /missing Python package PyJWT: 1 rule could not be imported \(pip install PyJWT\)/,
      );
      assert.match(out, /\n3 passed, 4 failed\n$/);
    }
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota rules test --id runs one rule and --json prints one line per test and a summary", async () => {
  const dir = await writeTree();
  try {
    const res = await rulesTest(dir.path, "--id", "Test.Admin", "--json");
    assert.equal(res.code, 1, res.stderr);
    const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const tests = lines.filter((l) => l.type === "test");
    assert.deepEqual(tests.map((t) => [t.name, t.passed]), [
      ["root", true],
      ["bob", true],
      ["bob mocked as admin", true],
      ["mock of a name the module lacks", false],
      ["title raises", false],
    ]);
    assert.ok(tests.every((t) => t.rule_id === "Test.Admin"));
    const summary = lines.at(-1);
    assert.equal(summary.type, "summary");
    assert.equal(summary.passed, 3);
    assert.equal(summary.failed, 2);
    assert.equal(summary.rules, 1);
    assert.equal(summary.rules_with_true_and_false, 1);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota rules test exits 0 when every selected test passes", async () => {
  const dir = await writeTree();
  try {
    await Deno.writeTextFile(
      `${dir.path}/admin.yml`,
      ruleYaml(
        "Test.Admin",
        "admin.py",
        `  - Name: root
    ExpectedResult: true
    Log: {"user": "root"}
  - Name: alice
    ExpectedResult: false
    Log: '{"user": "alice"}'
`,
      ),
    );
    const res = await rulesTest(dir.path, "--id", "Test.Admin");
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(
      res.stdout,
      /rules: 1, with tests: 1, with a true and a false test: 1\n2 passed, 0 failed\n$/,
    );
  } finally {
    await dir.cleanup();
  }
});

Deno.test("iota process routes CloudTrail events only to rules whose LogTypes name CloudTrail", async () => {
  const dir = await tempDir();
  try {
    const rules = `${dir.path}/rules`;
    await Deno.mkdir(rules);
    const always = "def rule(event):\n    return True\n\n\ndef title(event):\n    return 'hit'\n";
    for (
      const [id, logTypes] of [["Test.CloudTrail", "AWS.CloudTrail"], [
        "Test.Okta",
        "Okta.SystemLog",
      ]]
    ) {
      await Deno.writeTextFile(`${rules}/${id}.py`, always);
      await Deno.writeTextFile(
        `${rules}/${id}.yml`,
        `AnalysisType: rule\nRuleID: ${id}\nFilename: ${id}.py\nLogTypes: [${logTypes}]\nSeverity: Low\n`,
      );
    }
    await writeTrailFile(`${dir.path}/in/trail.json`, [
      record("DescribeInstances", "2026-11-20T10:00:00Z"),
      record("RunInstances", "2026-11-20T10:01:00Z"),
    ]);
    const res = await processWithRules(dir.path, "state", [rules]);
    assert.equal(res.code, 0, res.stderr);
    const alerts = await storedAlerts(`${dir.path}/state/iota.db`);
    assert.deepEqual(alerts.map((a) => [a.rule_id, a.count]), [["Test.CloudTrail", 2]]);
  } finally {
    await dir.cleanup();
  }
});
