/**
 * Checks at start that every output a rule or `default_outputs` names is
 * configured, so a typo is a config error now rather than a failed delivery
 * later. Only `destinations()`, which runs per alert, can still name an
 * unknown output; the alert then goes to the defaults (see `routeAlert`).
 * @module
 */
import type { RuleMeta } from "../rules/types.ts";
import type { Output } from "./outputs/types.ts";
import { UsageError } from "../errors.ts";

/** The output names and defaults that alert dedup routes with. */
export interface Routing {
  /** Every configured output name. */
  outputs: ReadonlySet<string>;
  /** Outputs of alerts whose rule names none. */
  defaultOutputs: string[];
}

/** Options of {@linkcode resolveRouting}. */
export interface RoutingOptions {
  /** `default_outputs` of the config; empty or absent means every configured output. */
  defaultOutputs?: readonly string[];
  /** The config file, named in errors. */
  file?: string | null;
}

/**
 * Validates routing against the configured outputs and returns the names and
 * defaults for the pipeline (`PipelineContext.outputs` / `defaultOutputs`).
 *
 * @throws UsageError naming the rule or `default_outputs` and the unknown output.
 *
 * @example
 * const routing = resolveRouting(ruleMap.values(), outputs, { defaultOutputs: cfg.defaultOutputs });
 */
export function resolveRouting(
  rules: Iterable<RuleMeta>,
  outputs: ReadonlyMap<string, Output>,
  options: RoutingOptions = {},
): Routing {
  const names = new Set(outputs.keys());
  const known = [...names].join(", ");
  const where = options.file ? ` "${options.file}"` : "";
  for (const name of options.defaultOutputs ?? []) {
    if (!names.has(name)) {
      throw new UsageError(
        `Invalid config${where}: default_outputs: output "${name}" is not configured (configured: ${known})`,
      );
    }
  }
  for (const rule of rules) {
    for (const name of rule.outputIds) {
      if (!names.has(name)) {
        throw new UsageError(
          `Invalid rule "${rule.id}": OutputIds: output "${name}" is not configured (configured: ${known})`,
        );
      }
    }
  }
  const defaults = options.defaultOutputs && options.defaultOutputs.length > 0
    ? [...new Set(options.defaultOutputs)]
    : [...names];
  return { outputs: names, defaultOutputs: defaults };
}
