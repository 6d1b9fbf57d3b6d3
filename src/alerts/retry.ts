/**
 * When a failed delivery is tried again: exponential backoff with jitter, up
 * to a number of tries, configured by the `delivery` mapping of the config file.
 * @module
 */
import { UsageError } from "../errors.ts";

/** Retry policy of deliveries. */
export interface RetryPolicy {
  /** Tries per delivery, the first included; after the last the delivery is `failed`. */
  maxAttempts: number;
  /** Delay after the first failure; it doubles with every further failure. */
  baseDelayMs: number;
  /** Upper bound of the delay. */
  maxDelayMs: number;
}

/** Default retry policy: 10 tries spread over roughly half an hour. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 5_000,
  maxDelayMs: 900_000,
};

/** Keys of the `delivery` mapping in the config file. */
const DELIVERY_KEYS = ["max_attempts", "retry_base_secs", "retry_max_secs"] as const;

/**
 * Delay before the next try after `failures` failed tries (1 or more).
 * Jitter keeps it between half and all of the exponential delay, so
 * deliveries that failed together do not retry in lockstep.
 *
 * @example
 * backoffDelay(DEFAULT_RETRY, 1); // 2500–5000 ms
 */
export function backoffDelay(
  policy: RetryPolicy,
  failures: number,
  options: { random?: () => number } = {},
): number {
  const random = options.random ?? Math.random;
  const exp = policy.baseDelayMs * 2 ** Math.max(0, Math.min(failures - 1, 40));
  const delay = Math.min(policy.maxDelayMs, exp);
  return Math.round(delay / 2 + random() * (delay / 2));
}

/**
 * Reads the `delivery` mapping of the config file:
 * `max_attempts` (1–100), `retry_base_secs`, `retry_max_secs` (seconds, > 0).
 *
 * @param value The mapping as parsed from YAML.
 * @param file The config file, for error messages.
 * @throws UsageError naming the key on an unknown key or a bad value.
 */
export function parseRetryPolicy(value: unknown, file: string): RetryPolicy {
  const fail = (key: string, reason: string): never => {
    throw new UsageError(`Invalid config "${file}": delivery.${key}: ${reason}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`Invalid config "${file}": delivery: expected a mapping`);
  }
  const d = value as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!(DELIVERY_KEYS as readonly string[]).includes(key)) fail(key, "unknown key");
  }
  const policy = { ...DEFAULT_RETRY };
  if ("max_attempts" in d) {
    const n = d.max_attempts;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 100) {
      fail("max_attempts", "expected an integer from 1 to 100");
    }
    policy.maxAttempts = n as number;
  }
  const secs = (key: string): number | undefined => {
    if (!(key in d)) return undefined;
    const n = d[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) {
      return fail(key, "expected a positive number of seconds");
    }
    return Math.round(n * 1000);
  };
  policy.baseDelayMs = secs("retry_base_secs") ?? policy.baseDelayMs;
  policy.maxDelayMs = secs("retry_max_secs") ?? Math.max(policy.maxDelayMs, policy.baseDelayMs);
  if (policy.maxDelayMs < policy.baseDelayMs) {
    fail("retry_max_secs", "must not be less than retry_base_secs");
  }
  return policy;
}
