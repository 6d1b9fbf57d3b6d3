/**
 * Runs the unit tests in rule YAML files through a Python worker, with the
 * same alert-function semantics as the live pipeline.
 * @module
 */
import type { RuleSet } from "./loader.ts";
import type { RuleMeta } from "./types.ts";
import type { WireLoadedRule, WireTest, WireTestResult } from "./protocol.ts";
import { PythonWorker } from "./worker.ts";
import { buildLoadRequest } from "./pool.ts";

/** Outcome of one rule test. */
export interface RuleTestOutcome {
  ruleId: string;
  name: string;
  passed: boolean;
  reason: string | null;
  output: string | null;
}

/** Totals of a test run. */
export interface RuleTestReport {
  results: RuleTestOutcome[];
  passed: number;
  failed: number;
  rules: number;
  rulesWithTests: number;
  rulesWithTrueAndFalse: number;
  /** Rules that could not be imported, by the Python package they lack. */
  missingPackages: Record<string, string[]>;
}

const MISSING_PACKAGE = /missing Python package '([^']+)'/;

/** Runs the tests of every rule in `set` (optionally only `onlyId`). */
export async function runRuleTests(
  set: RuleSet,
  options: { cwd: string; onlyId?: string },
): Promise<RuleTestReport> {
  const rules = set.rules.filter((r) => options.onlyId === undefined || r.id === options.onlyId);
  const report: RuleTestReport = {
    results: [],
    passed: 0,
    failed: 0,
    rules: rules.length,
    rulesWithTests: rules.filter((r) => r.tests.length > 0).length,
    rulesWithTrueAndFalse: rules.filter((r) =>
      r.tests.some((t) => t.expectedResult === true) &&
      r.tests.some((t) => t.expectedResult === false)
    ).length,
    missingPackages: {},
  };
  if (rules.length === 0) return report;
  const worker = new PythonWorker({ cwd: options.cwd, label: "test worker" });
  try {
    // Tests get a fresh in-memory state store (state_path null).
    const load = await worker.request<{ rules: WireLoadedRule[] }>(
      buildLoadRequest(rules, set, null),
    );
    for (const [i, rule] of rules.entries()) {
      if (rule.tests.length === 0) continue;
      const loaded = load.rules[i];
      if (!loaded?.loaded) {
        const pkg = MISSING_PACKAGE.exec(loaded?.error ?? "")?.[1];
        if (pkg) (report.missingPackages[pkg] ??= []).push(rule.id);
        for (const t of rule.tests) {
          add(
            report,
            rule,
            t.name,
            false,
            `rule failed to load: ${loaded?.error ?? "unknown"}`,
            null,
          );
        }
        continue;
      }
      const tests: WireTest[] = rule.tests.map((t) => ({
        name: t.name,
        expected: t.expectedResult,
        log: t.log,
        mocks: t.mocks,
        log_type: rule.logTypes[0] ?? "AWS.CloudTrail",
      }));
      const res = await worker.request<{ results: WireTestResult[] }>({
        op: "test",
        rule: i,
        tests,
      });
      for (const [j, r] of res.results.entries()) {
        const t = rule.tests[j];
        if (t.expectedResult === null) {
          add(report, rule, r.name, false, "test has no ExpectedResult", null);
          continue;
        }
        add(report, rule, r.name, r.passed, r.passed ? null : r.reason, r.output ?? null);
      }
    }
  } finally {
    await worker.close();
  }
  return report;
}

function add(
  report: RuleTestReport,
  rule: RuleMeta,
  name: string,
  passed: boolean,
  reason: string | null,
  output: string | null,
): void {
  report.results.push({ ruleId: rule.id, name, passed, reason, output: output || null });
  if (passed) report.passed++;
  else report.failed++;
}
