/**
 * Integrations from command-line flags: every value checked before anything
 * is written, with one error line naming the flag, the value and the reason.
 * @module
 */
import { UsageError } from "../errors.ts";
import type { IntegrationRecord } from "../store/integrations.ts";
import { DEFAULT_POLL_INTERVAL_SECS, DEFAULT_VISIBILITY_TIMEOUT_SECS } from "../serve/config.ts";
import { DEFAULT_STALE_AFTER_SECS } from "./status.ts";

/** Flags of `iota integrations add` and `update` (undefined: not given). */
export interface IntegrationFlags {
  bucket?: string;
  prefix?: string;
  queueUrl?: string;
  poll?: boolean;
  pollInterval?: string;
  region?: string;
  roleArn?: string;
  externalId?: string;
  accounts?: string;
  staleAfter?: string;
  label?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, or an emulator's `http://HOST:PORT/ACCOUNT/NAME`. */
const QUEUE_URL =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/\d{12}\/[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Checks an integration name. @throws UsageError */
export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `Invalid integration name "${name}": expected letters, digits, '.', '_' or '-' (at most 64)`,
    );
  }
  return name;
}

/** Checks an S3 bucket name (the rules of general purpose buckets). @throws UsageError */
export function checkBucket(bucket: string): string {
  if (
    !BUCKET.test(bucket) || bucket.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(bucket) ||
    bucket.startsWith("xn--")
  ) {
    throw new UsageError(
      `Invalid --bucket "${bucket}": not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')`,
    );
  }
  return bucket;
}

/** Checks an SQS queue URL. @throws UsageError */
export function checkQueueUrl(url: string): string {
  if (!QUEUE_URL.test(url)) {
    throw new UsageError(
      `Invalid --queue-url "${url}": expected https://sqs.REGION.amazonaws.com/ACCOUNT_ID/QUEUE_NAME`,
    );
  }
  return url;
}

/**
 * Parses a duration such as `30m`, `90s`, `2h` or a number of seconds.
 * @throws UsageError naming `flag` when malformed or out of range
 */
export function parseDuration(value: string, flag: string, minSecs: number, maxSecs: number) {
  const m = value.trim().match(/^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/);
  const secs = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] ?? "s"]! : NaN;
  if (!Number.isFinite(secs)) {
    throw new UsageError(`Invalid ${flag} "${value}": expected a duration such as 90s, 30m or 2h`);
  }
  if (secs < minSecs || secs > maxSecs) {
    throw new UsageError(
      `Invalid ${flag} "${value}": expected from ${minSecs} to ${maxSecs} seconds`,
    );
  }
  return secs;
}

function checkOptional(flag: string, value: string, re: RegExp, expected: string): string | null {
  if (value === "") return null;
  if (!re.test(value)) throw new UsageError(`Invalid ${flag} "${value}": expected ${expected}`);
  return value;
}

function parseAccounts(value: string): string[] {
  if (value.trim() === "") return [];
  const ids = value.split(",").map((a) => a.trim());
  for (const a of ids) {
    if (!ACCOUNT.test(a)) {
      throw new UsageError(`Invalid --accounts "${value}": "${a}" is not a 12-digit account id`);
    }
  }
  return [...new Set(ids)].sort();
}

/**
 * A new integration from the flags of `iota integrations add`.
 * @throws UsageError on a missing or malformed value
 */
export function integrationFromFlags(
  name: string,
  flags: IntegrationFlags,
  now: number,
): IntegrationRecord {
  checkName(name);
  if (flags.bucket === undefined) {
    throw new UsageError(`Cannot add integration "${name}": --bucket is required`);
  }
  if ((flags.queueUrl === undefined) === (flags.poll !== true)) {
    throw new UsageError(
      `Cannot add integration "${name}": give either --queue-url URL (SQS notifications) or --poll (S3 polling)`,
    );
  }
  const base: IntegrationRecord = {
    name,
    label: name,
    bucket: "",
    prefix: "",
    queueUrl: null,
    pollIntervalSecs: DEFAULT_POLL_INTERVAL_SECS,
    visibilityTimeoutSecs: DEFAULT_VISIBILITY_TIMEOUT_SECS,
    region: null,
    roleArn: null,
    externalId: null,
    accounts: [],
    enabled: true,
    staleAfterSecs: DEFAULT_STALE_AFTER_SECS,
    origin: "cli",
    createdAt: now,
    updatedAt: now,
    enabledAt: now,
  };
  return applyFlags(base, flags, now);
}

/**
 * `rec` with the flags of `iota integrations update` applied. An empty value
 * clears an optional field (`--region ""`, `--accounts ""`, `--label ""`).
 * @throws UsageError on a malformed value or conflicting flags
 */
export function applyFlags(
  rec: IntegrationRecord,
  flags: IntegrationFlags,
  now: number,
): IntegrationRecord {
  const out: IntegrationRecord = { ...rec, updatedAt: now };
  if (flags.queueUrl !== undefined && flags.poll === true) {
    throw new UsageError(
      `Invalid --queue-url "${flags.queueUrl}": give either it or --poll, not both`,
    );
  }
  if (flags.pollInterval !== undefined && flags.queueUrl !== undefined) {
    throw new UsageError(
      `Invalid --poll-interval "${flags.pollInterval}": it applies to --poll, not to --queue-url`,
    );
  }
  if (flags.bucket !== undefined) out.bucket = checkBucket(flags.bucket);
  if (flags.prefix !== undefined) {
    if (flags.prefix.startsWith("/")) {
      throw new UsageError(
        `Invalid --prefix "${flags.prefix}": S3 key prefixes do not start with /`,
      );
    }
    out.prefix = flags.prefix;
  }
  if (flags.queueUrl !== undefined) out.queueUrl = checkQueueUrl(flags.queueUrl);
  if (flags.poll === true) out.queueUrl = null;
  if (flags.pollInterval !== undefined) {
    if (out.queueUrl !== null) {
      throw new UsageError(
        `Invalid --poll-interval for integration "${rec.name}": it reads an SQS queue (switch with --poll)`,
      );
    }
    out.pollIntervalSecs = parseDuration(flags.pollInterval, "--poll-interval", 1, 86_400);
  }
  if (flags.region !== undefined) {
    out.region = checkOptional("--region", flags.region, REGION, "a region such as us-east-1");
  }
  if (flags.roleArn !== undefined) {
    out.roleArn = checkOptional(
      "--role-arn",
      flags.roleArn,
      ROLE_ARN,
      "an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME)",
    );
  }
  if (flags.externalId !== undefined) {
    out.externalId = flags.externalId === "" ? null : flags.externalId;
  }
  if (flags.accounts !== undefined) out.accounts = parseAccounts(flags.accounts);
  if (flags.staleAfter !== undefined) {
    out.staleAfterSecs = parseDuration(flags.staleAfter, "--stale-after", 60, 30 * 86_400);
  }
  if (flags.label !== undefined) {
    if (flags.label.length > 200) {
      throw new UsageError(`Invalid --label: at most 200 characters`);
    }
    out.label = flags.label === "" ? rec.name : flags.label;
  }
  if (out.bucket === "") throw new UsageError(`Invalid integration "${rec.name}": no bucket`);
  return out;
}

/** The names of the fields in which two integrations differ (for drift reports). */
export function differingFields(a: IntegrationRecord, b: IntegrationRecord): string[] {
  const fields: [string, unknown, unknown][] = [
    ["label", a.label, b.label],
    ["bucket", a.bucket, b.bucket],
    ["prefix", a.prefix, b.prefix],
    ["queue_url", a.queueUrl, b.queueUrl],
    ["poll_interval", a.pollIntervalSecs, b.pollIntervalSecs],
    ["visibility_timeout_secs", a.visibilityTimeoutSecs, b.visibilityTimeoutSecs],
    ["region", a.region, b.region],
    ["role_arn", a.roleArn, b.roleArn],
    ["external_id", a.externalId, b.externalId],
    ["accounts", a.accounts.join(","), b.accounts.join(",")],
    ["stale_after", a.staleAfterSecs, b.staleAfterSecs],
    ["enabled", a.enabled, b.enabled],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([f]) => f);
}
