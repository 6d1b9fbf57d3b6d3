/**
 * Schema checks for Panther-format analysis files, with `file:line` locations.
 * Unknown keys are allowed (packs carry keys iota does not use); what is
 * checked is what would make a rule fail to load, run, or test.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node, YAMLMap } from "yaml";
import { dirname, resolve } from "node:path";
import { SEVERITIES } from "./types.ts";
import {
  hasInlineFilterConditions,
  INLINE_FILTERS_UNSUPPORTED,
  SIMPLE_DETECTION_UNSUPPORTED,
  walkAnalysisFiles,
} from "./loader.ts";

/** One schema problem: file, 1-based line (0 when unknown) and what is wrong. */
export interface ValidationProblem {
  path: string;
  line: number;
  message: string;
}

/** Result of validating one or more analysis trees. */
export interface ValidationReport {
  files: number;
  /** Analysis files by `AnalysisType` (lower case). */
  types: Record<string, number>;
  problems: ValidationProblem[];
}

/** Analysis types of the Panther format; those other than rule, global and datamodel are skipped. */
export const KNOWN_ANALYSIS_TYPES = [
  "rule",
  "scheduled_rule",
  "correlation_rule",
  "policy",
  "global",
  "datamodel",
  "scheduled_query",
  "saved_query",
  "lookup_table",
  "pack",
  "derived",
] as const;

const ID_KEY: Record<string, string> = {
  rule: "RuleID",
  scheduled_rule: "RuleID",
  correlation_rule: "RuleID",
  policy: "PolicyID",
  global: "GlobalID",
  datamodel: "DataModelID",
  scheduled_query: "QueryName",
  saved_query: "QueryName",
  lookup_table: "LookupName",
  pack: "PackID",
};

/** Validates every analysis file under `dirs`. */
export async function validateAnalysisTrees(dirs: readonly string[]): Promise<ValidationReport> {
  const report: ValidationReport = { files: 0, types: {}, problems: [] };
  const ids = new Map<string, { path: string; line: number }>();
  for (const dir of dirs) {
    const root = resolve(dir);
    try {
      if (!(await Deno.stat(root)).isDirectory) throw new Error("not a directory");
    } catch (err) {
      report.problems.push({
        path: root,
        line: 0,
        message: `cannot read rules directory: ${err instanceof Error ? err.message : err}`,
      });
      continue;
    }
    for await (const path of walkAnalysisFiles(root)) {
      report.files++;
      await validateFile(path, await Deno.readTextFile(path), report, ids);
    }
  }
  report.problems.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line);
  return report;
}

/** `path:line: message`, the style editors and CI annotations understand. */
export function formatProblem(p: ValidationProblem): string {
  return `${p.path}${p.line > 0 ? `:${p.line}` : ""}: ${p.message}`;
}

async function validateFile(
  path: string,
  text: string,
  report: ValidationReport,
  ids: Map<string, { path: string; line: number }>,
): Promise<void> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problem = (node: Node | null | undefined, message: string) => {
    const offset = node?.range?.[0];
    report.problems.push({
      path,
      line: offset === undefined ? 0 : lines.linePos(offset).line,
      message,
    });
  };
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    report.problems.push({
      path,
      line: err.linePos?.[0].line ?? 0,
      message: `invalid YAML: ${err.message.split("\n")[0]}`,
    });
    return;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    problem(root, "not an analysis file: the top level must be a mapping");
    return;
  }
  const typeNode = valueNode(root, "AnalysisType");
  if (typeNode === undefined) {
    problem(root, "missing AnalysisType");
    return;
  }
  const type = scalarString(typeNode)?.toLowerCase();
  if (type === undefined || !(KNOWN_ANALYSIS_TYPES as readonly string[]).includes(type)) {
    problem(
      typeNode,
      `unknown AnalysisType ${JSON.stringify(scalarValue(typeNode))} (expected one of ${
        KNOWN_ANALYSIS_TYPES.join(", ")
      })`,
    );
    return;
  }
  report.types[type] = (report.types[type] ?? 0) + 1;
  const c = new Checker(root, problem);

  const idKey = ID_KEY[type];
  const id = idKey ? c.requiredString(idKey) : undefined;
  if (id !== undefined && idKey) {
    const scoped = `${idKey}:${id}`;
    const previous = ids.get(scoped);
    if (previous) {
      problem(
        valueNode(root, idKey),
        `duplicate ${idKey} "${id}" (also in ${previous.path}:${previous.line})`,
      );
    } else {
      const node = valueNode(root, idKey);
      ids.set(scoped, { path, line: node?.range ? lines.linePos(node.range[0]).line : 0 });
    }
  }
  c.optionalBoolean("Enabled");

  const needsFile = type === "rule" || type === "scheduled_rule" || type === "policy" ||
    type === "global";
  // The loader refuses these rules; report them the way it does, not as a missing key.
  const simpleDetection = type === "rule" && !root.has("Filename") && root.has("Detection");
  if (simpleDetection) problem(keyNode(root, "Detection"), SIMPLE_DETECTION_UNSUPPORTED);
  if (type === "rule" && hasInlineFilterConditions(doc.toJS()?.InlineFilters)) {
    problem(keyNode(root, "InlineFilters"), INLINE_FILTERS_UNSUPPORTED);
  }
  const filename = needsFile && !simpleDetection
    ? c.requiredString("Filename")
    : c.optionalString("Filename");
  if (filename !== undefined) {
    const target = resolve(dirname(path), filename);
    if (!(await exists(target))) {
      problem(valueNode(root, "Filename"), `Filename "${filename}" does not exist`);
    }
  }

  if (type === "rule" || type === "scheduled_rule" || type === "policy") {
    const severity = valueNode(root, "Severity");
    if (severity === undefined) problem(root, "missing Severity");
    else {
      const value = scalarString(severity);
      if (value === undefined || !SEVERITIES.some((s) => s.toLowerCase() === value.toLowerCase())) {
        problem(
          severity,
          `unknown Severity ${JSON.stringify(scalarValue(severity))} (expected one of ${
            SEVERITIES.join(", ")
          })`,
        );
      }
    }
    c.stringList(type === "policy" ? "ResourceTypes" : "LogTypes", type === "rule");
    c.positiveInteger("DedupPeriodMinutes");
    c.positiveInteger("Threshold");
    c.optionalBoolean("CreateAlert");
    c.stringList("Tags", false);
    c.stringList("OutputIds", false);
    c.stringList("SummaryAttributes", false);
    checkTests(root, type === "policy" ? "Resource" : "Log", problem);
  }
  if (type === "datamodel") {
    c.stringList("LogTypes", true);
    checkMappings(root, filename !== undefined, problem);
  }
}

type Report = (node: Node | null | undefined, message: string) => void;

class Checker {
  constructor(private readonly map: YAMLMap, private readonly problem: Report) {}

  requiredString(key: string): string | undefined {
    const node = valueNode(this.map, key);
    if (node === undefined) {
      this.problem(this.map, `missing ${key}`);
      return undefined;
    }
    return this.string(key, node);
  }

  optionalString(key: string): string | undefined {
    const node = valueNode(this.map, key);
    return node === undefined ? undefined : this.string(key, node);
  }

  private string(key: string, node: Node): string | undefined {
    const value = scalarString(node);
    if (value === undefined || value.trim() === "") {
      this.problem(node, `${key} must be a non-empty string`);
      return undefined;
    }
    return value;
  }

  optionalBoolean(key: string): void {
    const node = valueNode(this.map, key);
    if (node !== undefined && typeof scalarValue(node) !== "boolean") {
      this.problem(node, `${key} must be true or false, got ${JSON.stringify(scalarValue(node))}`);
    }
  }

  positiveInteger(key: string): void {
    const node = valueNode(this.map, key);
    if (node === undefined) return;
    const v = scalarValue(node);
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      this.problem(node, `${key} must be a positive whole number, got ${JSON.stringify(v)}`);
    }
  }

  stringList(key: string, required: boolean): void {
    const node = valueNode(this.map, key);
    if (node === undefined) {
      if (required) this.problem(this.map, `missing ${key}`);
      return;
    }
    if (!isSeq(node) || node.items.some((i) => scalarString(i as Node) === undefined)) {
      this.problem(node, `${key} must be a list of strings`);
    } else if (required && node.items.length === 0) {
      this.problem(node, `${key} must not be empty`);
    }
  }
}

function checkTests(root: YAMLMap, logKey: string, problem: Report): void {
  const tests = valueNode(root, "Tests");
  if (tests === undefined || isScalar(tests) && tests.value === null) return;
  if (!isSeq(tests)) {
    problem(tests, "Tests must be a list");
    return;
  }
  const names = new Set<string>();
  for (const [i, item] of tests.items.entries()) {
    const label = `test ${i + 1}`;
    if (!isMap(item)) {
      problem(item as Node, `${label} must be a mapping`);
      continue;
    }
    const nameNode = valueNode(item, "Name");
    const name = nameNode === undefined ? undefined : scalarString(nameNode);
    const title = name ? `test "${name}"` : label;
    if (name === undefined) problem(nameNode ?? item, `${label}: missing Name`);
    else if (names.has(name)) problem(nameNode, `duplicate test name "${name}"`);
    else names.add(name);
    const expected = valueNode(item, "ExpectedResult");
    if (expected === undefined) problem(item, `${title} has no ExpectedResult`);
    else if (typeof scalarValue(expected) !== "boolean") {
      problem(expected, `${title}: ExpectedResult must be true or false`);
    }
    // Policies test a resource (`Resource`), rules an event (`Log`).
    const log = valueNode(item, logKey);
    if (log === undefined) problem(item, `${title} has no ${logKey}`);
    else if (!isMap(log)) {
      const text = scalarString(log);
      if (text === undefined || !isJsonObject(text)) {
        problem(log, `${title}: ${logKey} must be a mapping or a JSON object string`);
      }
    }
    const mocks = valueNode(item, "Mocks");
    if (mocks === undefined) continue;
    if (!isSeq(mocks)) {
      problem(mocks, `${title}: Mocks must be a list`);
      continue;
    }
    for (const mock of mocks.items) {
      const objectName = isMap(mock) ? valueNode(mock, "objectName") : undefined;
      if (!isMap(mock) || objectName === undefined || scalarString(objectName) === undefined) {
        problem(mock as Node, `${title}: each mock needs an objectName`);
      } else if (!mock.has("returnValue")) {
        problem(mock, `${title}: mock "${scalarString(objectName)}" has no returnValue`);
      }
    }
  }
}

function checkMappings(root: YAMLMap, hasFile: boolean, problem: Report): void {
  const mappings = valueNode(root, "Mappings");
  if (mappings === undefined) {
    problem(root, "missing Mappings");
    return;
  }
  if (!isSeq(mappings)) {
    problem(mappings, "Mappings must be a list");
    return;
  }
  for (const m of mappings.items) {
    if (!isMap(m) || scalarString(valueNode(m, "Name")) === undefined) {
      problem(m as Node, "each mapping needs a Name");
      continue;
    }
    const name = scalarString(valueNode(m, "Name"));
    const hasPath = m.has("Path");
    const hasMethod = m.has("Method");
    if (hasPath === hasMethod) {
      problem(m, `mapping "${name}" needs exactly one of Path and Method`);
    } else if (hasMethod && !hasFile) {
      problem(m, `mapping "${name}" uses a Method but the data model has no Filename`);
    }
  }
}

/** The key node itself, so a problem with a block value points at the key's line. */
function keyNode(map: YAMLMap, key: string): Node | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key as
    | Node
    | undefined;
}

function valueNode(map: YAMLMap, key: string): Node | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value ?? undefined) as Node;
  }
  return undefined;
}

function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : isMap(node) ? "(mapping)" : isSeq(node) ? "(list)" : null;
}

function scalarString(node: Node | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
