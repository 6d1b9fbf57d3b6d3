/**
 * Option groups that several commands of the command tree share, so each
 * option is spelled, described and validated in one place.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../errors.ts";

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A parser that accepts only a positive integer for option `name`. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`Invalid ${name} "${value}": expected a positive integer`);
    }
    return n;
  };
}

/** A parser that accepts only a positive number for option `name`. */
export function positiveNumber(name: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new UsageError(`Invalid ${name} "${value}": expected a positive number`);
    }
    return n;
  };
}

/** `--config`, `--state` and `--log-level`, which every command takes. */
export function common(cmd: Command): Command {
  return cmd
    .option("--config <file>", "config file (YAML)")
    .option("--state <path>", "SQLite state file (default ./iota-state/iota.db)")
    .option("--log-level <level>", "debug | info | warn | error");
}

/** `--rules` and `--helpers`: where the rule trees come from. */
export function ruleFlags(cmd: Command): Command {
  return cmd
    .option(
      "--rules <dir>",
      "rules directory (repeatable; default: the bundled rules)",
      collect,
      [],
    )
    .option("--helpers <dir>", "Python helper modules directory (repeatable)", collect, []);
}

/**
 * The options of every command that runs the pipeline (process, serve,
 * backfill): the common ones, rule trees, lake, rule workers, objects at once
 * and the rule time limit. `concurrencyScope` words what the objects are
 * counted over.
 */
export function pipelineOptions(cmd: Command, concurrencyScope = ""): Command {
  return ruleFlags(common(cmd))
    .option("--lake <dir>", "lake directory, s3://bucket/prefix or none (default ./iota-lake)")
    .option(
      "--workers <n>",
      "Python rule workers (default: one per core)",
      positiveInt("--workers"),
    )
    .option(
      "--concurrency <n>",
      `objects processed at once${concurrencyScope} (default: one per core)`,
      positiveInt("--concurrency"),
    )
    .option("--rule-timeout <secs>", "time limit per rule batch", positiveNumber("--rule-timeout"));
}

/**
 * The options of the commands that run over a finite set of objects and end
 * with a summary (process, backfill): output format, strictness, batch size.
 */
export function runOptions(
  cmd: Command,
  jsonHelp = "alerts as JSON lines and a final JSON summary line",
): Command {
  return cmd
    .option("--json", jsonHelp)
    .option("--strict", "exit 1 when any object or record was bad or a rule failed")
    .option("--batch-size <n>", "events per batch (default 100)", positiveInt("--batch-size"));
}
