/**
 * The parts of the config file `iota serve` reads: `integrations` (one
 * CloudTrail source each, SQS or polling), `serve` (loop settings) and
 * `metrics` (the address of the health and metrics endpoint). Every key is
 * checked; errors name the key path, e.g. `integrations[1].poll_interval`.
 * @module
 */
import { UsageError } from "../errors.ts";

/** Default seconds between two listings of a polled prefix. */
export const DEFAULT_POLL_INTERVAL_SECS = 60;
/** Default SQS visibility timeout while an object is in work, in seconds. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECS = 300;
/** Default seconds serve waits for in-flight objects after SIGTERM/SIGINT. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECS = 30;
/** Default address of the health and metrics endpoint. */
export const DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464";

/** One CloudTrail source that `iota serve` reads. */
export interface IntegrationConfig {
  /** Unique name; becomes `p_source_id` and the objects' `source_id`. */
  name: string;
  /** Written to `p_source_label` (defaults to the name). */
  label: string;
  bucket: string;
  /** Only keys under this prefix are processed (empty: the whole bucket). */
  prefix: string;
  /** SQS queue announcing new objects; null means polling mode. */
  queueUrl: string | null;
  /** Seconds between listings in polling mode. */
  pollIntervalSecs: number;
  /** SQS visibility timeout while a message's objects are in work. */
  visibilityTimeoutSecs: number;
  /** Region of the bucket and queue (default: `aws.region`). */
  region: string | null;
  /** IAM role to assume for this integration's S3 and SQS calls. */
  roleArn: string | null;
  /** External id passed when assuming `roleArn`. */
  externalId: string | null;
  /** Account ids to keep (from the `AWSLogs/[o-…/]ACCOUNT/` key path); empty keeps all. */
  accounts: string[];
  enabled: boolean;
  /** Seconds without a new object before the integration is stale (set when the file gives it). */
  staleAfterSecs?: number;
}

/** Loop settings of `iota serve` (the `serve` mapping). */
export interface ServeSettings {
  /** Objects processed at once across every integration (default: one per core). */
  concurrency: number | null;
  /** Seconds to finish in-flight objects after SIGTERM/SIGINT before abandoning them. */
  shutdownTimeoutSecs: number;
  /**
   * /healthz reports 503 when an integration's last loop iteration is older
   * than this many seconds (default: 120, or three poll intervals when longer).
   */
  healthMaxLoopAgeSecs: number | null;
  /** Address of /healthz and /metrics (`host:port`), or null for none. */
  metricsAddress: string | null;
  /** Objects (or list/receive calls) failing in a row that make an integration failing. */
  healthFailingAfter?: number;
}

/** Serve settings when the file has none. */
export function defaultServeSettings(): ServeSettings {
  return {
    concurrency: null,
    shutdownTimeoutSecs: DEFAULT_SHUTDOWN_TIMEOUT_SECS,
    healthMaxLoopAgeSecs: null,
    metricsAddress: DEFAULT_METRICS_ADDRESS,
  };
}

const INTEGRATION_KEYS = [
  "name",
  "label",
  "bucket",
  "prefix",
  "queue_url",
  "poll_interval",
  "visibility_timeout_secs",
  "region",
  "role_arn",
  "external_id",
  "accounts",
  "enabled",
  "stale_after",
];
const SERVE_KEYS = [
  "concurrency",
  "shutdown_timeout_secs",
  "health_max_loop_age_secs",
  "health_failing_after",
];

/** Reads config values at a key path; every failure names the path. */
class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, reason: string): never {
    throw new UsageError(`Invalid config "${this.file}": ${path}: ${reason}`);
  }

  mapping(v: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.fail(path, "expected a mapping");
    }
    const m = v as Record<string, unknown>;
    for (const k of Object.keys(m)) if (!keys.includes(k)) this.fail(`${path}.${k}`, "unknown key");
    return m;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== "string" || v.trim() === "") this.fail(path, "expected a non-empty string");
    return v as string;
  }

  number(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      this.fail(path, `expected a number from ${min} to ${max}`);
    }
    return v as number;
  }

  /** A duration: a number of seconds or a string such as `90s`, `5m`, `1h`. */
  seconds(v: unknown, path: string, min: number, max: number): number {
    let secs: number | null = null;
    if (typeof v === "number") secs = v;
    else if (typeof v === "string") {
      const m = v.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/);
      if (m) {
        const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? "s"]!;
        secs = Number(m[1]) * unit;
      }
    }
    if (secs === null || !Number.isFinite(secs)) {
      this.fail(path, `expected a duration such as 60s, 5m or a number of seconds`);
    }
    if (secs < min || secs > max) this.fail(path, `expected from ${min} to ${max} seconds`);
    return secs;
  }
}

/**
 * Parses the `integrations` list.
 * @throws UsageError naming the key path on an unknown key, a wrong type, a
 * duplicate name, or an entry with both or neither of `queue_url` and
 * `poll_interval`.
 */
export function parseIntegrations(value: unknown, file: string): IntegrationConfig[] {
  const r = new Reader(file);
  if (!Array.isArray(value)) r.fail("integrations", "expected a list");
  const seen = new Set<string>();
  const queues = new Map<string, string>();
  return (value as unknown[]).map((raw, i) => {
    const at = `integrations[${i}]`;
    const m = r.mapping(raw, at, INTEGRATION_KEYS);
    const name = r.string(m.name, `${at}.name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
      r.fail(`${at}.name`, "expected letters, digits, '.', '_' or '-' (at most 64)");
    }
    if (seen.has(name)) r.fail(`${at}.name`, `integration "${name}" is defined twice`);
    seen.add(name);
    const bucket = r.string(m.bucket, `${at}.bucket`);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      r.fail(`${at}.bucket`, `"${bucket}" is not an S3 bucket name`);
    }
    const opt = (key: string) => m[key] === undefined ? null : r.string(m[key], `${at}.${key}`);
    const queueUrl = opt("queue_url");
    if (queueUrl !== null && !/^https?:\/\/\S+$/.test(queueUrl)) {
      r.fail(`${at}.queue_url`, "expected an http(s) SQS queue URL");
    }
    if (queueUrl !== null && queues.has(queueUrl)) {
      // Each loop deletes what it does not take: two on one queue would drop each other's files.
      r.fail(`${at}.queue_url`, `already read by integration "${queues.get(queueUrl)}"`);
    }
    if (queueUrl !== null) queues.set(queueUrl, name);
    if (queueUrl !== null && m.poll_interval !== undefined) {
      r.fail(`${at}.poll_interval`, "give either queue_url or poll_interval, not both");
    }
    if (queueUrl === null && m.poll_interval === undefined) {
      r.fail(at, "needs queue_url (SQS notifications) or poll_interval (S3 polling)");
    }
    const roleArn = opt("role_arn");
    if (roleArn !== null && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
      r.fail(`${at}.role_arn`, "expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
    let accounts: string[] = [];
    if (m.accounts !== undefined) {
      if (!Array.isArray(m.accounts)) r.fail(`${at}.accounts`, "expected a list of account ids");
      accounts = (m.accounts as unknown[]).map((a, j): string => {
        const id = typeof a === "number" ? String(a).padStart(12, "0") : a;
        if (typeof id !== "string" || !/^\d{12}$/.test(id)) {
          r.fail(`${at}.accounts[${j}]`, "expected a 12-digit AWS account id");
        }
        return id as string;
      });
    }
    if (m.enabled !== undefined && typeof m.enabled !== "boolean") {
      r.fail(`${at}.enabled`, "expected true or false");
    }
    return {
      name,
      label: opt("label") ?? name,
      bucket,
      prefix: m.prefix === undefined || m.prefix === "" ? "" : r.string(m.prefix, `${at}.prefix`),
      queueUrl,
      pollIntervalSecs: m.poll_interval === undefined
        ? DEFAULT_POLL_INTERVAL_SECS
        : r.seconds(m.poll_interval, `${at}.poll_interval`, 1, 86_400),
      visibilityTimeoutSecs: m.visibility_timeout_secs === undefined
        ? DEFAULT_VISIBILITY_TIMEOUT_SECS
        : Math.round(
          r.number(m.visibility_timeout_secs, `${at}.visibility_timeout_secs`, 1, 43_200),
        ),
      region: opt("region"),
      roleArn,
      externalId: opt("external_id"),
      accounts,
      enabled: m.enabled !== false,
      ...(m.stale_after === undefined
        ? {}
        : { staleAfterSecs: r.seconds(m.stale_after, `${at}.stale_after`, 60, 30 * 86_400) }),
    };
  });
}

/**
 * Parses the `serve` mapping into `settings`.
 * @throws UsageError naming the key path on an unknown key or a wrong value.
 */
export function parseServeSettings(value: unknown, file: string, settings: ServeSettings): void {
  const r = new Reader(file);
  const m = r.mapping(value, "serve", SERVE_KEYS);
  if (m.concurrency !== undefined) {
    const n = r.number(m.concurrency, "serve.concurrency", 1, 256);
    if (!Number.isInteger(n)) r.fail("serve.concurrency", "expected an integer");
    settings.concurrency = n;
  }
  if (m.shutdown_timeout_secs !== undefined) {
    settings.shutdownTimeoutSecs = r.seconds(
      m.shutdown_timeout_secs,
      "serve.shutdown_timeout_secs",
      0,
      3600,
    );
  }
  if (m.health_max_loop_age_secs !== undefined) {
    settings.healthMaxLoopAgeSecs = r.seconds(
      m.health_max_loop_age_secs,
      "serve.health_max_loop_age_secs",
      1,
      86_400,
    );
  }
  if (m.health_failing_after !== undefined) {
    const n = r.number(m.health_failing_after, "serve.health_failing_after", 1, 1000);
    if (!Number.isInteger(n)) r.fail("serve.health_failing_after", "expected an integer");
    settings.healthFailingAfter = n;
  }
}

/**
 * Parses `metrics`: `host:port`, or `none` to serve no endpoint.
 * @throws UsageError when it is not a `host:port` address.
 */
export function parseMetricsAddress(value: unknown, where: string): string | null {
  if (value === "none" || value === false) return null;
  if (typeof value !== "string" || splitAddress(value) === null) {
    throw new UsageError(
      `Invalid ${where}: expected host:port (e.g. 127.0.0.1:9464) or none, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

/** Splits `host:port` (IPv6 hosts in brackets); null when malformed. */
export function splitAddress(address: string): { hostname: string; port: number } | null {
  const m = address.match(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/);
  if (!m) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  return { hostname: m[1].replace(/^\[|\]$/g, ""), port };
}
