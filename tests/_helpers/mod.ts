/**
 * Small helpers shared by iota's tests.
 * @module
 */
import type { RuleMatch, RuleMeta, Severity } from "../../src/rules/types.ts";

/** A temp directory removed when the returned disposer runs. */
export async function tempDir(
  prefix = "iota-test-",
): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, cleanup: () => Deno.remove(path, { recursive: true }).catch(() => {}) };
}

/** A RuleMeta with defaults, for alert and engine tests. */
export function ruleMeta(id: string, overrides: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    yamlPath: `/rules/${id}.yml`,
    pyPath: `/rules/${id}.py`,
    enabled: true,
    logTypes: ["AWS.CloudTrail"],
    severity: "High",
    dedupPeriodMinutes: 60,
    threshold: 1,
    displayName: null,
    description: null,
    runbook: null,
    reference: null,
    tags: [],
    reports: {},
    summaryAttributes: [],
    outputIds: [],
    createAlert: true,
    tests: [],
    raw: {},
    ...overrides,
  };
}

/** A RuleMatch at `eventTime` (ms) for `ruleId`. */
export function match(
  ruleId: string,
  eventTime: number,
  rowId: string,
  overrides: Partial<RuleMatch> = {},
): RuleMatch {
  return {
    ruleId,
    rowId,
    eventTime,
    eventJson: JSON.stringify({ eventTime: new Date(eventTime).toISOString(), p_row_id: rowId }),
    severity: "High" as Severity,
    title: `title ${ruleId}`,
    dedup: "actor-1",
    context: null,
    description: null,
    reference: null,
    runbook: null,
    destinations: null,
    ...overrides,
  };
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Result of running the iota CLI as a child process. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `iota ARGS...` as a child process (the same way operators do). */
export async function runIota(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-ffi",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--allow-net",
      "--allow-sys",
      MAIN,
      ...args,
    ],
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    // Never a terminal, so nothing waits for an answer.
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs `iota process IN --json --lake none` with a state file of its own
 * (`DIR/NAME/iota.db`) and only the given rule trees.
 */
export function processWithRules(
  dir: string,
  name: string,
  rules: string[],
  options: { extraArgs?: string[]; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return runIota([
    "process",
    `${dir}/in`,
    "--json",
    "--lake",
    "none",
    ...(options.extraArgs ?? []),
    "--state",
    `${dir}/${name}/iota.db`,
    ...rules.flatMap((r) => ["--rules", r]),
  ], { env: options.env });
}

/** Alerts stored in a state database, read through `iota alerts list --json`. */
export async function storedAlerts(state: string): Promise<Record<string, unknown>[]> {
  const res = await runIota(["alerts", "list", "--json", "--state", state]);
  if (res.code !== 0) throw new Error(`iota alerts list failed: ${res.stderr}`);
  return res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}
