/**
 * Reads Panther-format analysis trees: rules (YAML + .py), global helpers and
 * data models. Other analysis types are counted and skipped, never errors.
 * @module
 */
import { parse as parseYaml } from "yaml";
import { dirname, join, resolve } from "node:path";
import type { RuleMeta, RuleTest, Severity } from "./types.ts";
import { SEVERITIES } from "./types.ts";

/** A data model mapping: a field name resolved by a path or a method of the model module. */
export interface DataModelMapping {
  name: string;
  path?: string;
  method?: string;
}

/** A data model (`AnalysisType: datamodel`). */
export interface DataModelSpec {
  id: string;
  logTypes: string[];
  mappings: DataModelMapping[];
  /** Absolute path of the model's Python file, when it has one. */
  modulePath: string | null;
}

/** A file that could not be loaded, with the reason. */
export interface LoadProblem {
  path: string;
  message: string;
}

/** Everything found in the rule and helper directories. */
export interface RuleSet {
  rules: RuleMeta[];
  /** Directories to put on the Python path, in order. */
  helperDirs: string[];
  dataModels: DataModelSpec[];
  /** Analysis files of types iota does not run, by type. */
  skipped: Record<string, number>;
  problems: LoadProblem[];
}

const DEFAULT_DEDUP_MINUTES = 60;

/**
 * Loads every analysis file under `ruleDirs`; `helperDirs` are added to the
 * Python path ahead of the directories of `global` analysis files.
 */
export async function loadRuleSet(
  ruleDirs: readonly string[],
  helperDirs: readonly string[] = [],
  options: { tests?: boolean } = {},
): Promise<RuleSet> {
  const keepTests = options.tests ?? true;
  const set: RuleSet = {
    rules: [],
    helperDirs: helperDirs.map((d) => resolve(d)),
    dataModels: [],
    skipped: {},
    problems: [],
  };
  const seenIds = new Map<string, string>();
  for (const dir of ruleDirs) {
    const root = resolve(dir);
    try {
      const info = await Deno.stat(root);
      if (!info.isDirectory) throw new Error("not a directory");
    } catch (err) {
      set.problems.push({
        path: root,
        message: `Cannot read rules directory: ${err instanceof Error ? err.message : err}`,
      });
      continue;
    }
    for await (const path of walkAnalysisFiles(root)) {
      const text = await Deno.readTextFile(path);
      loadAnalysisFile(path, keepTests ? text : withoutTestsBlock(text), set, seenIds);
    }
  }
  return set;
}

/** Every YAML file under `dir`, depth first in name order, skipping hidden and cache folders. */
export async function* walkAnalysisFiles(dir: string): AsyncGenerator<string> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "__pycache__") continue;
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walkAnalysisFiles(path);
    else if (e.isFile && /\.ya?ml$/i.test(e.name)) yield path;
  }
}

/**
 * The YAML text without its top-level `Tests:` block, for runs that never use
 * tests: the tests' logs are most of a rule file's bytes, and parsing them
 * was most of start-up. A top-level key starts at column 0, so the block ends
 * at the next line that starts with a key character. Any doubt (a second
 * `Tests:` line, a document marker) keeps the text whole.
 */
export function withoutTestsBlock(text: string): string {
  const found = [...text.matchAll(/^Tests:/gm)];
  if (found.length !== 1) return text;
  const start = found[0].index;
  // The next line that starts a top-level key (a letter, digit, `_` or quote) or a document.
  const next = /\n(?:---|\.\.\.|[A-Za-z0-9_"'])/g;
  next.lastIndex = start;
  const m = next.exec(text);
  if (m === null) return text.slice(0, start);
  if (m[0] === "\n---" || m[0] === "\n...") return text;
  return text.slice(0, start) + text.slice(m.index + 1);
}

function loadAnalysisFile(
  path: string,
  text: string,
  set: RuleSet,
  seenIds: Map<string, string>,
): void {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    set.problems.push({
      path,
      message: `invalid YAML: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`,
    });
    return;
  }
  if (!isRecord(doc) || typeof doc.AnalysisType !== "string") {
    // Not an analysis file (e.g. a pack manifest or CI config): ignore quietly.
    set.skipped["(not analysis)"] = (set.skipped["(not analysis)"] ?? 0) + 1;
    return;
  }
  const type = doc.AnalysisType.toLowerCase();
  if (type === "global") {
    const dir = dirname(path);
    if (!set.helperDirs.includes(dir)) set.helperDirs.push(dir);
    return;
  }
  if (type === "datamodel") {
    const model = toDataModel(path, doc);
    if (typeof model === "string") set.problems.push({ path, message: model });
    else if (model.enabled) set.dataModels.push(model.spec);
    return;
  }
  if (type !== "rule") {
    set.skipped[type] = (set.skipped[type] ?? 0) + 1;
    return;
  }
  const rule = toRuleMeta(path, doc);
  if (typeof rule === "string") {
    set.problems.push({ path, message: rule });
    return;
  }
  const previous = seenIds.get(rule.id);
  if (previous !== undefined) {
    set.problems.push({ path, message: `duplicate RuleID "${rule.id}" (also in ${previous})` });
    return;
  }
  seenIds.set(rule.id, path);
  set.rules.push(rule);
}

/** Canonical severity for a case-insensitive name, or null. */
export function canonicalSeverity(value: unknown): Severity | null {
  if (typeof value !== "string") return null;
  const lower = value.toLowerCase();
  return SEVERITIES.find((s) => s.toLowerCase() === lower) ?? null;
}

function toRuleMeta(path: string, doc: Record<string, unknown>): RuleMeta | string {
  const id = doc.RuleID;
  if (typeof id !== "string" || id.trim() === "") return "missing RuleID";
  if (typeof doc.Filename !== "string" || doc.Filename === "") {
    if (doc.Detection !== undefined) {
      return `rule "${id}": ${SIMPLE_DETECTION_UNSUPPORTED}`;
    }
    return `rule "${id}": missing Filename`;
  }
  if (hasInlineFilterConditions(doc.InlineFilters)) {
    // Evaluating the rule without its filters would raise alerts it is meant to skip.
    return `rule "${id}": ${INLINE_FILTERS_UNSUPPORTED}`;
  }
  const severity = canonicalSeverity(doc.Severity);
  if (severity === null) {
    return `rule "${id}": unknown Severity ${JSON.stringify(doc.Severity)} (expected one of ${
      SEVERITIES.join(", ")
    })`;
  }
  const tests: RuleTest[] = [];
  const rawTests = Array.isArray(doc.Tests) ? doc.Tests : [];
  for (const [i, t] of rawTests.entries()) {
    if (!isRecord(t)) continue;
    tests.push({
      name: typeof t.Name === "string" ? t.Name : `test ${i + 1}`,
      expectedResult: typeof t.ExpectedResult === "boolean" ? t.ExpectedResult : null,
      log: typeof t.Log === "string" ? tryParseJson(t.Log) : t.Log,
      mocks: Array.isArray(t.Mocks)
        ? t.Mocks.filter(isRecord).map((m) => ({
          objectName: String(m.objectName ?? ""),
          returnValue: m.returnValue,
        }))
        : [],
    });
  }
  return {
    id,
    yamlPath: path,
    pyPath: resolve(dirname(path), doc.Filename),
    enabled: doc.Enabled !== false,
    logTypes: stringList(doc.LogTypes),
    severity,
    dedupPeriodMinutes: positiveNumber(doc.DedupPeriodMinutes) ?? DEFAULT_DEDUP_MINUTES,
    threshold: Math.max(1, Math.floor(positiveNumber(doc.Threshold) ?? 1)),
    displayName: optionalString(doc.DisplayName),
    description: optionalString(doc.Description),
    runbook: optionalString(doc.Runbook),
    reference: optionalString(doc.Reference),
    tags: stringList(doc.Tags),
    reports: isRecord(doc.Reports)
      ? Object.fromEntries(Object.entries(doc.Reports).map(([k, v]) => [k, stringList(v)]))
      : {},
    summaryAttributes: stringList(doc.SummaryAttributes),
    outputIds: stringList(doc.OutputIds),
    createAlert: doc.CreateAlert !== false,
    tests,
    raw: doc,
  };
}

function toDataModel(
  path: string,
  doc: Record<string, unknown>,
): { spec: DataModelSpec; enabled: boolean } | string {
  const id = typeof doc.DataModelID === "string" ? doc.DataModelID : null;
  if (id === null) return "data model: missing DataModelID";
  const mappings: DataModelMapping[] = [];
  for (const m of Array.isArray(doc.Mappings) ? doc.Mappings : []) {
    if (!isRecord(m) || typeof m.Name !== "string") continue;
    mappings.push({
      name: m.Name,
      path: typeof m.Path === "string" ? m.Path : undefined,
      method: typeof m.Method === "string" ? m.Method : undefined,
    });
  }
  return {
    enabled: doc.Enabled !== false,
    spec: {
      id,
      logTypes: stringList(doc.LogTypes),
      mappings,
      modulePath: typeof doc.Filename === "string" ? resolve(dirname(path), doc.Filename) : null,
    },
  };
}

/** Why a YAML-only simple detection does not load (shared with `rules validate`). */
export const SIMPLE_DETECTION_UNSUPPORTED =
  "simple detections (Detection without a Python Filename) are not supported";
/** Why a rule with filter conditions does not load (shared with `rules validate`). */
export const INLINE_FILTERS_UNSUPPORTED = "InlineFilters with conditions are not supported";

/** True when `InlineFilters` holds at least one condition (`- All: []` holds none). */
export function hasInlineFilterConditions(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.some(hasInlineFilterConditions);
  if (isRecord(v)) {
    const groups = ["All", "Any", "OnlyOne", "None"].filter((k) => k in v);
    if (groups.length === 0 || Object.keys(v).length > groups.length) return true;
    return groups.some((k) => hasInlineFilterConditions(v[k]));
  }
  return true;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (!Array.isArray(v)) return [];
  return v.filter((x) => x !== null && x !== undefined).map(String);
}

function optionalString(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function positiveNumber(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
