/**
 * Classification of CloudTrail objects and of the values found in them:
 * digest and Insight files by key, EventBridge envelopes and lookup-events
 * items by content.
 * @module
 */

import type { LogType, ObjectKind } from "./types.ts";

/** True when the key is a CloudTrail integrity digest (never holds events). */
export function isDigestKey(key: string): boolean {
  return key.includes("/CloudTrail-Digest/");
}

/** True when the key is a CloudTrail Insight delivery. */
export function isInsightKey(key: string): boolean {
  return key.includes("/CloudTrail-Insight/");
}

/** Log type of a record: Insight events are their own log type. */
export function logTypeOf(record: Record<string, unknown>, insightFile: boolean): LogType {
  return insightFile || record.eventType === "AwsCloudTrailInsight"
    ? "AWS.CloudTrailInsight"
    : "AWS.CloudTrail";
}

/**
 * What a parsed value turned out to be:
 * - `record`: a CloudTrail record, with `raw` its exact JSON text when known
 *   (for lookup-events items the embedded string is the record's text);
 * - `digest`: a digest file's body, which carries no events;
 * - `bad`: not a record, with the reason.
 */
export type Classified =
  | { kind: "record"; record: Record<string, unknown>; raw: string | null }
  | { kind: "digest" }
  | { kind: "bad"; reason: string };

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Classifies one parsed value. `lookupItem` is true for elements of a
 * lookup-events `Events` array, whose record is the `CloudTrailEvent` string.
 *
 * EventBridge envelopes are recognized by a `detail-type` ending in
 * ` via CloudTrail` ("AWS API Call via CloudTrail", "AWS Console Sign In via
 * CloudTrail", "AWS Service Event via CloudTrail", …) and unwrapped to `detail`.
 */
export function classifyValue(value: unknown, text: string, lookupItem: boolean): Classified {
  if (!isObject(value)) return { kind: "bad", reason: `not an object (${describe(value)})` };
  const embedded = value.CloudTrailEvent;
  if (lookupItem || (typeof embedded === "string" && value.eventTime === undefined)) {
    if (typeof embedded !== "string") {
      return { kind: "bad", reason: "lookup-events item has no CloudTrailEvent string" };
    }
    let inner: unknown;
    try {
      inner = JSON.parse(embedded);
    } catch (err) {
      return {
        kind: "bad",
        reason: `CloudTrailEvent is not valid JSON: ${(err as Error).message}`,
      };
    }
    if (!isObject(inner)) {
      return { kind: "bad", reason: `CloudTrailEvent is not an object (${describe(inner)})` };
    }
    return { kind: "record", record: inner, raw: embedded };
  }
  const detailType = value["detail-type"];
  if (typeof detailType === "string" && detailType.endsWith(" via CloudTrail")) {
    const detail = value.detail;
    if (!isObject(detail)) {
      return { kind: "bad", reason: `EventBridge detail is not an object (${describe(detail)})` };
    }
    return { kind: "record", record: detail, raw: null };
  }
  if (value.digestStartTime !== undefined && value.logFiles !== undefined) {
    return { kind: "digest" };
  }
  return { kind: "record", record: value, raw: text };
}

/** Counts that decide an object's kind once it has been read. */
export interface KindCounts {
  error: string | null;
  /** Top-level values found (0 for an empty or whitespace-only file). */
  values: number;
  records: number;
  events: number;
  insightEvents: number;
  digests: number;
}

/**
 * The kind of a finished object: `invalid` when it failed (even after some
 * records: they were still delivered), `empty` without content, `digest` for
 * digest bodies, `insight` when every event is an Insight event (or the key
 * says so), else `cloudtrail`.
 */
export function objectKind(key: string, c: KindCounts): ObjectKind {
  if (c.error !== null) return "invalid";
  if (c.values === 0) return "empty";
  if (c.digests > 0 && c.records === 0) return "digest";
  if (isInsightKey(key) || (c.events > 0 && c.insightEvents === c.events)) return "insight";
  return "cloudtrail";
}
