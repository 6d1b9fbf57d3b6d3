/**
 * Reads the one entry of the config file's `integrations` list that
 * `iota backfill --integration NAME` needs: its bucket, prefix, region and
 * accounts. Only these keys are checked here; the config loader owns the rest.
 * @module
 */
import { parse as parseYaml } from "yaml";
import { UsageError } from "../errors.ts";

/** What a backfill takes from an integration. */
export interface BackfillIntegration {
  name: string;
  bucket: string;
  /** Key prefix of the trail (may be empty). */
  prefix: string;
  /** AWS region of the bucket, when set. */
  region: string | null;
  /** Accounts the integration is limited to; empty means all. */
  accounts: string[];
  /** Set when the integration names a role; a backfill uses the default credentials instead. */
  roleArn: string | null;
}

/**
 * Finds integration `name` in the config file at `path`.
 * @throws UsageError when there is no config file, no such integration, or its fields have the wrong type
 */
export async function readBackfillIntegration(
  path: string | null,
  name: string,
): Promise<BackfillIntegration> {
  if (path === null) {
    throw new UsageError(`Cannot use integration "${name}": give the config file with --config`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(await Deno.readTextFile(path));
  } catch (err) {
    throw new UsageError(
      `Cannot read config "${path}": ${err instanceof Error ? err.message.split("\n")[0] : err}`,
    );
  }
  const list = isMapping(doc) ? doc.integrations : undefined;
  const entry = Array.isArray(list)
    ? list.find((e) => isMapping(e) && e.name === name) as Record<string, unknown> | undefined
    : undefined;
  if (entry === undefined) {
    throw new UsageError(`Cannot use integration "${name}": not in the integrations of "${path}"`);
  }
  const where = `integration "${name}" in "${path}"`;
  const str = (key: string, required: boolean): string | null => {
    const v = entry[key];
    if (v === undefined || v === null) {
      if (required) throw new UsageError(`Invalid ${where}: "${key}" is required`);
      return null;
    }
    if (typeof v !== "string" || v === "") {
      throw new UsageError(`Invalid ${where}: "${key}" must be a non-empty string`);
    }
    return v;
  };
  const accounts = entry.accounts ?? [];
  if (!Array.isArray(accounts) || !accounts.every((a) => typeof a === "string" || isInt(a))) {
    throw new UsageError(`Invalid ${where}: "accounts" must be a list of account ids`);
  }
  return {
    name,
    bucket: str("bucket", true)!,
    prefix: str("prefix", false) ?? "",
    region: str("region", false),
    // YAML reads an unquoted 12-digit id as a number; keep its digits (leading zeros padded).
    accounts: accounts.map((a) => typeof a === "string" ? a : String(a).padStart(12, "0")),
    roleArn: str("role_arn", false),
  };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}
