/**
 * Builds the configured outputs by type. Adding an output type is one file
 * beside this one and one line in {@linkcode OUTPUT_TYPES}.
 * @module
 */
import { dirname, resolve } from "node:path";
import type { Config, OutputConfig } from "../../config.ts";
import type { Output } from "./types.ts";
import { type Env, type OutputContext, OutputSettings } from "./_config.ts";
import { stdoutFromConfig, stdoutOutput } from "./stdout.ts";
import { fileFromConfig } from "./file.ts";
import { webhookFromConfig } from "./webhook.ts";
import { slackFromConfig } from "./slack.ts";
import { pagerDutyFromConfig } from "./pagerduty.ts";
import { snsFromConfig } from "./sns.ts";
import { sqsFromConfig } from "./sqs.ts";

/** Output types by the `type` key of their config entry. */
export const OUTPUT_TYPES: Readonly<Record<string, (s: OutputSettings) => Output>> = {
  stdout: stdoutFromConfig,
  file: fileFromConfig,
  webhook: webhookFromConfig,
  slack: slackFromConfig,
  pagerduty: pagerDutyFromConfig,
  sns: snsFromConfig,
  sqs: sqsFromConfig,
};

/** Name of the output used when the config defines none. */
export const BUILTIN_OUTPUT = "stdout";

/** Options of {@linkcode createOutputs}. */
export interface CreateOutputsOptions {
  /** Directory relative paths resolve against (default: the current directory). */
  baseDir?: string;
  /** Region and endpoint for SNS and SQS outputs that name none. */
  aws?: { region?: string; endpoint?: string };
  /** The config file, named in errors. */
  file?: string | null;
  /** Format of the built-in stdout output used when `configs` is empty (default `text`). */
  stdoutFormat?: "text" | "json";
}

/**
 * Builds one output per config entry, checking every key and reading secrets
 * from `env`. With no entries, returns the built-in `stdout` output.
 *
 * @param configs The `outputs` list of the config file.
 * @param env Environment variables secrets are read from, e.g. `Deno.env.toObject()`.
 * @returns Outputs by name, in config order.
 * @throws UsageError naming the key path (`outputs[2].urll: unknown key`) on
 * an unknown key or type, a missing or bad value, an unset environment
 * variable or a duplicate name.
 *
 * @example
 * const outputs = createOutputs(
 *   [{ name: "secops", type: "slack", url_env: "IOTA_SLACK_URL" }],
 *   Deno.env.toObject(),
 * );
 */
export function createOutputs(
  configs: readonly OutputConfig[],
  env: Env,
  options: CreateOutputsOptions = {},
): Map<string, Output> {
  const outputs = new Map<string, Output>();
  if (configs.length === 0) {
    outputs.set(
      BUILTIN_OUTPUT,
      stdoutOutput({ name: BUILTIN_OUTPUT, format: options.stdoutFormat ?? "text" }),
    );
    return outputs;
  }
  const context: OutputContext = {
    env,
    baseDir: options.baseDir ?? Deno.cwd(),
    aws: options.aws ?? {},
    file: options.file ?? null,
  };
  configs.forEach((raw, i) => {
    const s = new OutputSettings(raw, i, context);
    if (typeof raw.name !== "string" || raw.name.trim() === "") {
      s.fail("name", "expected a non-empty string");
    }
    if (outputs.has(raw.name)) s.fail("name", `output "${raw.name}" is defined twice`);
    const build = Object.hasOwn(OUTPUT_TYPES, raw.type) ? OUTPUT_TYPES[raw.type] : undefined;
    if (build === undefined) {
      return s.fail(
        "type",
        `unknown output type "${raw.type}": expected one of ${
          Object.keys(OUTPUT_TYPES).join(", ")
        }`,
      );
    }
    outputs.set(raw.name, build(s));
  });
  return outputs;
}

/**
 * {@linkcode createOutputs} over a resolved Config: relative paths resolve
 * against the config file's directory, SNS/SQS use its `aws` settings.
 */
export function outputsFromConfig(
  cfg: Config,
  options: { env?: Env; stdoutFormat?: "text" | "json" } = {},
): Map<string, Output> {
  return createOutputs(cfg.outputs, options.env ?? Deno.env.toObject(), {
    baseDir: cfg.file === null ? Deno.cwd() : dirname(resolve(cfg.file)),
    aws: cfg.aws,
    file: cfg.file,
    stdoutFormat: options.stdoutFormat,
  });
}

/** Closes every output (clients, sockets); errors are ignored at shutdown. */
export async function closeOutputs(outputs: ReadonlyMap<string, Output>): Promise<void> {
  await Promise.allSettled([...outputs.values()].map(async (o) => await o.close?.()));
}
