/**
 * `iota rules test | list | validate | errors`.
 * @module
 */
import { EXIT_FAILURES, EXIT_OK } from "../errors.ts";
import { runRuleTests } from "../rules/testing.ts";
import { setupConfig, setupRuleSet, setupStore, workerDir } from "./_setup.ts";
import { formatProblem, validateAnalysisTrees } from "../rules/validate.ts";
import { bundledRulesDir } from "../assets.ts";
import { summarizeRuleErrors } from "../store/rule_errors.ts";
import { formatEventTime } from "../alerts/format.ts";

/** Flags shared by the rules commands. */
export interface RuleFlags {
  config?: string;
  state?: string;
  logLevel?: string;
  rules: string[];
  helpers: string[];
  json?: boolean;
}

const encoder = new TextEncoder();
function out(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** `iota rules test`: exit 1 when any test fails. */
export async function runRulesTest(flags: RuleFlags & { id?: string }): Promise<number> {
  const cfg = await setupConfig(flags);
  const set = await setupRuleSet(cfg);
  const report = await runRuleTests(set, { cwd: workerDir(cfg), onlyId: flags.id });
  for (const r of report.results) {
    if (flags.json) {
      out(JSON.stringify({
        type: "test",
        rule_id: r.ruleId,
        name: r.name,
        passed: r.passed,
        reason: r.reason,
      }));
    } else if (!r.passed) {
      out(`FAIL ${r.ruleId} / ${r.name}: ${r.reason}`);
      if (r.output) out(`     output: ${r.output.split("\n").slice(0, 5).join("\n     ")}`);
    }
  }
  const failedLoads = set.problems.length;
  const coverage =
    `rules: ${report.rules}, with tests: ${report.rulesWithTests}, with a true and a false test: ${report.rulesWithTrueAndFalse}`;
  if (flags.json) {
    out(JSON.stringify({
      type: "summary",
      passed: report.passed,
      failed: report.failed,
      rules: report.rules,
      rules_with_tests: report.rulesWithTests,
      rules_with_true_and_false: report.rulesWithTrueAndFalse,
      load_problems: failedLoads,
      missing_packages: report.missingPackages,
    }));
  } else {
    out(coverage);
    if (failedLoads > 0) out(`files that could not be loaded: ${failedLoads}`);
    for (const [pkg, ids] of Object.entries(report.missingPackages)) {
      out(
        `missing Python package ${pkg}: ${ids.length} rule${
          ids.length === 1 ? "" : "s"
        } could not be imported (pip install ${pkg})`,
      );
    }
    out(`${report.passed} passed, ${report.failed} failed`);
  }
  return report.failed > 0 || failedLoads > 0 ? EXIT_FAILURES : EXIT_OK;
}

/** `iota rules list`. */
export async function runRulesList(flags: RuleFlags): Promise<number> {
  const cfg = await setupConfig(flags);
  const set = await setupRuleSet(cfg);
  for (const r of set.rules) {
    if (flags.json) {
      out(JSON.stringify({
        id: r.id,
        enabled: r.enabled,
        severity: r.severity,
        log_types: r.logTypes,
        dedup_period_minutes: r.dedupPeriodMinutes,
        threshold: r.threshold,
        tests: r.tests.length,
        path: r.yamlPath,
      }));
    } else {
      out(
        `${r.enabled ? " " : "-"} ${r.severity.padEnd(8)} ${r.id}${
          r.displayName ? `  ${r.displayName}` : ""
        }`,
      );
    }
  }
  if (!flags.json) {
    out(`${set.rules.length} rules (${set.rules.filter((r) => r.enabled).length} enabled)`);
  }
  return set.problems.length > 0 ? EXIT_FAILURES : EXIT_OK;
}

/** `iota rules validate`: exit 1 when any analysis file has a problem. */
export async function runRulesValidate(flags: RuleFlags): Promise<number> {
  const cfg = await setupConfig(flags);
  const dirs = [...(cfg.rules.length > 0 ? cfg.rules : [bundledRulesDir()]), ...cfg.helpers];
  const report = await validateAnalysisTrees(dirs);
  for (const p of report.problems) {
    out(
      flags.json
        ? JSON.stringify({ path: p.path, line: p.line, message: p.message })
        : formatProblem(p),
    );
  }
  const n = report.problems.length;
  const types = Object.entries(report.types).map(([t, c]) => `${c} ${t}`).join(", ");
  const summary = `${report.files} analysis files checked${
    types ? ` (${types})` : ""
  }, ${n} problem${n === 1 ? "" : "s"}`;
  out(flags.json ? JSON.stringify({ type: "summary", files: report.files, problems: n }) : summary);
  return n > 0 ? EXIT_FAILURES : EXIT_OK;
}

/** `iota rules errors`: grouped by rule and error type. */
export async function runRulesErrors(
  flags: { config?: string; state?: string; logLevel?: string; rule?: string; json?: boolean },
): Promise<number> {
  const cfg = await setupConfig(flags);
  const store = setupStore(cfg);
  try {
    const rows = summarizeRuleErrors(store, { ruleId: flags.rule });
    for (const e of rows) {
      if (flags.json) {
        out(JSON.stringify({
          rule_id: e.ruleId,
          type: e.type,
          count: e.count,
          message: e.message,
          traceback: e.traceback,
          last_row_id: e.lastRowId,
          last_seen: new Date(e.lastSeen).toISOString(),
        }));
      } else {
        out(
          `${e.ruleId}  ${e.type} x${e.count}  ${e.message}${
            e.traceback ? `  (${e.traceback})` : ""
          }  last ${formatEventTime(e.lastSeen)}`,
        );
      }
    }
    if (!flags.json && rows.length === 0) out("no rule errors");
  } finally {
    store.close();
  }
  return EXIT_OK;
}
