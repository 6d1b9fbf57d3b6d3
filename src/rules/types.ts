/**
 * Plain data produced by the rules stage and consumed by alerts and the store.
 * @module
 */

/** Rule severities, in increasing order. */
export const SEVERITIES = ["Info", "Low", "Medium", "High", "Critical"] as const;
export type Severity = typeof SEVERITIES[number];

/** A rule's static metadata from its YAML. */
export interface RuleMeta {
  id: string;
  /** Absolute path of the YAML file. */
  yamlPath: string;
  /** Absolute path of the Python file. */
  pyPath: string;
  enabled: boolean;
  logTypes: string[];
  severity: Severity;
  dedupPeriodMinutes: number;
  threshold: number;
  displayName: string | null;
  description: string | null;
  runbook: string | null;
  reference: string | null;
  tags: string[];
  reports: Record<string, string[]>;
  summaryAttributes: string[];
  outputIds: string[];
  createAlert: boolean;
  tests: RuleTest[];
  /** Every key of the YAML, unknown ones included. */
  raw: Record<string, unknown>;
}

/** A unit test from a rule's YAML `Tests`. */
export interface RuleTest {
  name: string;
  expectedResult: boolean | null;
  log: unknown;
  mocks: { objectName: string; returnValue: unknown }[];
}

/** A rule matched an event. */
export interface RuleMatch {
  ruleId: string;
  rowId: string;
  eventTime: number;
  /** The normalized event JSON line. */
  eventJson: string;
  severity: Severity;
  title: string;
  dedup: string;
  context: Record<string, unknown> | null;
  description: string | null;
  reference: string | null;
  runbook: string | null;
  destinations: string[] | null;
}

/** A rule failed on an event (or at load time when rowId is null). */
export interface RuleErrorRecord {
  ruleId: string;
  rowId: string | null;
  /** Python exception type, or `timeout`, `crash`, `import`, `bad_return`. */
  type: string;
  message: string;
  /** First line of the traceback that points into the rule, if any. */
  traceback: string | null;
}

/** Result of evaluating one batch of events. */
export interface EvalResult {
  matches: RuleMatch[];
  errors: RuleErrorRecord[];
}
