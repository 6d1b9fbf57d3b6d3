/**
 * One typed Config from defaults, an optional YAML file and command-line flags
 * (flags win). Unknown keys and wrong types are errors naming the key.
 * @module
 */
import { parse as parseYaml } from "yaml";
import { dirname, resolve } from "node:path";
import { UsageError } from "./errors.ts";
import { DEFAULT_STATE_PATH } from "./store/db.ts";
import { LOG_LEVELS, type LogLevel } from "./log.ts";
import { DEFAULT_RETRY, parseRetryPolicy, type RetryPolicy } from "./alerts/retry.ts";
import {
  defaultServeSettings,
  type IntegrationConfig,
  parseIntegrations,
  parseMetricsAddress,
  parseServeSettings,
  type ServeSettings,
} from "./serve/config.ts";

export type { IntegrationConfig, ServeSettings } from "./serve/config.ts";

/** Default lake directory. */
export const DEFAULT_LAKE = "./iota-lake";

/** A configured output (only the fields the foundation reads; each type adds its own). */
export interface OutputConfig {
  name: string;
  type: string;
  [key: string]: unknown;
}

/** The resolved configuration. */
export interface Config {
  statePath: string;
  /** Local directory, `s3://bucket/prefix`, or `none`. */
  lake: string;
  /** Rule directories; empty means the bundled rules. */
  rules: string[];
  helpers: string[];
  workers: number;
  logLevel: LogLevel;
  outputs: OutputConfig[];
  defaultOutputs: string[];
  /** Retries of alert deliveries (`delivery` in the config file). */
  delivery: RetryPolicy;
  /** AWS region, optional S3/SQS-compatible endpoint and STS endpoint. */
  aws: { region?: string; endpoint?: string; stsEndpoint?: string };
  /** Log line format (`log_format`; `--log-format` wins). */
  logFormat: "text" | "json";
  /** CloudTrail sources of `iota serve`. */
  integrations: IntegrationConfig[];
  /** Loop settings of `iota serve`, including the metrics address. */
  serve: ServeSettings;
  /** Where the config file was read from, if any. */
  file: string | null;
}

/** Flags common to most commands; undefined means "not given". */
export interface CommonFlags {
  config?: string;
  state?: string;
  lake?: string;
  rules?: string[];
  helpers?: string[];
  workers?: number;
  logLevel?: string;
  logFormat?: string;
}

const KNOWN_KEYS = new Set([
  "state",
  "lake",
  "rules",
  "helpers",
  "workers",
  "log_level",
  "log_format",
  "aws",
  "integrations",
  "outputs",
  "default_outputs",
  "delivery",
  "metrics",
  "serve",
]);

/** Default file concurrency: one object in work per core. */
export function defaultParallelism(): number {
  return Math.max(1, navigator.hardwareConcurrency ?? 1);
}

/**
 * Default number of Python rule workers: one per core but one. The remaining core runs the
 * decode thread and the main thread; with the prefilter in front of Python, a worker on every
 * core only competes with decoding (measured in docs/performance.md).
 */
export function defaultRuleWorkers(): number {
  return Math.max(1, defaultParallelism() - 1);
}

/**
 * Builds the Config.
 * @throws UsageError on an unreadable or invalid config file or flag.
 */
export async function resolveConfig(flags: CommonFlags): Promise<Config> {
  const cfg: Config = {
    statePath: DEFAULT_STATE_PATH,
    lake: DEFAULT_LAKE,
    rules: [],
    helpers: [],
    workers: defaultRuleWorkers(),
    logLevel: "info",
    outputs: [],
    defaultOutputs: [],
    delivery: { ...DEFAULT_RETRY },
    aws: {},
    logFormat: "text",
    integrations: [],
    serve: defaultServeSettings(),
    file: null,
  };
  if (flags.config !== undefined) await applyFile(cfg, flags.config);
  if (flags.state !== undefined) cfg.statePath = flags.state;
  if (flags.lake !== undefined) cfg.lake = flags.lake;
  if (flags.rules !== undefined && flags.rules.length > 0) cfg.rules = flags.rules;
  if (flags.helpers !== undefined && flags.helpers.length > 0) cfg.helpers = flags.helpers;
  if (flags.workers !== undefined) cfg.workers = flags.workers;
  if (flags.logLevel !== undefined) cfg.logLevel = parseLogLevel(flags.logLevel, "--log-level");
  if (flags.logFormat !== undefined) {
    cfg.logFormat = parseLogFormat(flags.logFormat, "--log-format");
  }
  if (!Number.isInteger(cfg.workers) || cfg.workers < 1 || cfg.workers > 64) {
    throw new UsageError(`Invalid workers "${cfg.workers}": expected an integer from 1 to 64`);
  }
  return cfg;
}

function parseLogLevel(value: unknown, where: string): LogLevel {
  if (typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value)) {
    return value as LogLevel;
  }
  throw new UsageError(
    `Invalid ${where} ${JSON.stringify(value)}: expected one of ${LOG_LEVELS.join(", ")}`,
  );
}

function parseLogFormat(value: unknown, where: string): "text" | "json" {
  if (value === "text" || value === "json") return value;
  throw new UsageError(`Invalid ${where} ${JSON.stringify(value)}: expected text or json`);
}

async function applyFile(cfg: Config, path: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError(
      `Cannot read config "${path}": ${
        err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message
      }`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `Cannot parse config "${path}": ${(err as Error).message.split("\n")[0]}`,
    );
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`Invalid config "${path}": expected a mapping at the top level`);
  }
  const base = dirname(resolve(path));
  const rel = (p: string) => p.startsWith("s3://") || p === "none" ? p : resolve(base, p);
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new UsageError(`Invalid config "${path}": unknown key "${key}"`);
    }
  }
  const str = (key: string): string => {
    if (typeof d[key] !== "string") {
      throw new UsageError(`Invalid config "${path}": "${key}" must be a string`);
    }
    return d[key] as string;
  };
  const strList = (key: string): string[] => {
    const v = d[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      throw new UsageError(`Invalid config "${path}": "${key}" must be a list of strings`);
    }
    return v as string[];
  };
  if ("state" in d) cfg.statePath = rel(str("state"));
  if ("lake" in d) cfg.lake = rel(str("lake"));
  if ("rules" in d) cfg.rules = strList("rules").map(rel);
  if ("helpers" in d) cfg.helpers = strList("helpers").map(rel);
  if ("workers" in d) {
    if (typeof d.workers !== "number") {
      throw new UsageError(`Invalid config "${path}": "workers" must be a number`);
    }
    cfg.workers = d.workers;
  }
  if ("log_level" in d) cfg.logLevel = parseLogLevel(d.log_level, `config "${path}" log_level`);
  if ("outputs" in d) {
    const list = d.outputs;
    if (!Array.isArray(list)) {
      throw new UsageError(`Invalid config "${path}": "outputs" must be a list`);
    }
    cfg.outputs = list.map((o, i) => {
      if (
        typeof o !== "object" || o === null || typeof o.name !== "string" ||
        typeof o.type !== "string"
      ) {
        throw new UsageError(
          `Invalid config "${path}": outputs[${i}] needs a string "name" and "type"`,
        );
      }
      return o as OutputConfig;
    });
  }
  if ("default_outputs" in d) cfg.defaultOutputs = strList("default_outputs");
  if ("delivery" in d) cfg.delivery = parseRetryPolicy(d.delivery, path);
  if ("aws" in d) {
    const aws = d.aws;
    if (typeof aws !== "object" || aws === null || Array.isArray(aws)) {
      throw new UsageError(`Invalid config "${path}": "aws" must be a mapping`);
    }
    for (const [k, v] of Object.entries(aws)) {
      if (k !== "region" && k !== "endpoint" && k !== "sts_endpoint") {
        throw new UsageError(`Invalid config "${path}": unknown key "aws.${k}"`);
      }
      if (typeof v !== "string") {
        throw new UsageError(`Invalid config "${path}": "aws.${k}" must be a string`);
      }
      cfg.aws[k === "sts_endpoint" ? "stsEndpoint" : k] = v;
    }
  }
  if ("log_format" in d) {
    cfg.logFormat = parseLogFormat(d.log_format, `config "${path}" log_format`);
  }
  if ("integrations" in d) cfg.integrations = parseIntegrations(d.integrations ?? [], path);
  if ("serve" in d) parseServeSettings(d.serve ?? {}, path, cfg.serve);
  if ("metrics" in d) {
    cfg.serve.metricsAddress = parseMetricsAddress(d.metrics, `config "${path}" metrics`);
  }
  cfg.file = path;
}
