/**
 * Reading one `outputs[i]` entry of the config file: every key checked, errors
 * naming the key path (`outputs[2].url_env`), secrets read from the
 * environment variables the entry names. Secret values never appear in errors.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { OutputConfig } from "../../config.ts";
import { UsageError } from "../../errors.ts";

/** Default time limit of one delivery, in seconds. */
export const DEFAULT_TIMEOUT_SECS = 10;

/** Keys every output accepts. */
const COMMON_KEYS = ["name", "type", "timeout_secs"];

/** Environment variables, e.g. `Deno.env.toObject()`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What output entries are read against. */
export interface OutputContext {
  env: Env;
  /** Relative paths (the file output) resolve against this directory. */
  baseDir: string;
  /** Region and endpoint used by SNS and SQS outputs that name none. */
  aws: { region?: string; endpoint?: string };
  /** The config file, for error messages; null when outputs come from elsewhere. */
  file: string | null;
}

/** One output entry being read. */
export class OutputSettings {
  readonly name: string;
  readonly type: string;

  constructor(
    private readonly raw: OutputConfig,
    private readonly index: number,
    readonly context: OutputContext,
  ) {
    this.name = raw.name;
    this.type = raw.type;
  }

  /** Throws a UsageError naming `outputs[i].key`. */
  fail(key: string, reason: string): never {
    const where = this.context.file === null ? "" : ` "${this.context.file}"`;
    throw new UsageError(`Invalid config${where}: outputs[${this.index}].${key}: ${reason}`);
  }

  /** Rejects keys other than the common ones and `keys`. */
  allowOnly(keys: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!COMMON_KEYS.includes(key) && !keys.includes(key)) this.fail(key, "unknown key");
    }
  }

  /** True when the entry has `key`. */
  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  /** A string value, or undefined when absent. */
  string(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") this.fail(key, "expected a non-empty string");
    return v as string;
  }

  /** A string value that must be present. */
  requiredString(key: string): string {
    return this.string(key) ?? this.fail(key, `required for output type "${this.type}"`);
  }

  /** One of `values`, or `fallback` when absent. */
  choice<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const v = this.string(key);
    if (v === undefined) return fallback;
    if (!(values as readonly string[]).includes(v)) {
      this.fail(key, `expected one of ${values.join(", ")}, got "${v}"`);
    }
    return v as T;
  }

  /** `timeout_secs` in milliseconds. */
  timeoutMs(): number {
    const v = this.raw.timeout_secs;
    if (v === undefined) return DEFAULT_TIMEOUT_SECS * 1000;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > 3600) {
      this.fail("timeout_secs", "expected a number of seconds from 0 to 3600");
    }
    return Math.round((v as number) * 1000);
  }

  /** A mapping of strings to strings (e.g. headers), empty when absent. */
  stringMap(key: string): Record<string, string> {
    const v = this.raw[key];
    if (v === undefined) return {};
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.fail(key, "expected a mapping of names to strings");
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x !== "string") this.fail(`${key}.${k}`, "expected a string");
      out[k] = x as string;
    }
    return out;
  }

  /**
   * The value of the environment variable named by `key` (e.g. `url_env`), or
   * undefined when the entry has no such key.
   */
  secret(key: string): string | undefined {
    const variable = this.string(key);
    if (variable === undefined) return undefined;
    return this.envValue(key, variable);
  }

  /** Like {@linkcode secret}, for a key that must be present. */
  requiredSecret(key: string): string {
    return this.secret(key) ?? this.fail(key, `required for output type "${this.type}"`);
  }

  /** The value of `variable`, named at `key`; errors name the variable, never a value. */
  envValue(key: string, variable: string): string {
    const value = this.context.env[variable];
    if (value === undefined || value === "") {
      this.fail(key, `environment variable "${variable}" is not set`);
    }
    return value as string;
  }

  /**
   * An http(s) URL given literally at `key` or through the variable named at
   * `envKey` (either may be null when the output does not offer it); exactly
   * one of the two. Only the variable's name appears in errors.
   */
  url(key: string | null, envKey: string | null): string {
    const literal = key === null ? undefined : this.string(key);
    const fromEnv = envKey === null ? undefined : this.secret(envKey);
    if (literal !== undefined && fromEnv !== undefined) {
      this.fail(envKey!, `give either ${key} or ${envKey}, not both`);
    }
    const value = literal ?? fromEnv;
    if (value === undefined) {
      const either = key !== null && envKey !== null ? ` (or ${envKey})` : "";
      return this.fail(key ?? envKey!, `required for output type "${this.type}"${either}`);
    }
    const at = literal !== undefined ? key! : envKey!;
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      // reported below
    }
    if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      this.fail(at, "expected an http or https URL");
    }
    return value;
  }

  /** A file path, resolved against the config file's directory. */
  path(key: string): string {
    const p = this.requiredString(key);
    return isAbsolute(p) ? p : resolve(this.context.baseDir, p);
  }
}
