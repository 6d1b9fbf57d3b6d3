/**
 * Plain data passed between the sources, process, lake, rules and alerts stages.
 * @module
 */

import type { EncodedLines } from "../lake/lines.ts";

/** One source object: a CloudTrail file in S3 or on local disk. */
export interface SourceObjectRef {
  /** Stable identity: `s3://bucket/key` or `file:///absolute/path`. Drives p_row_id and lake names. */
  uri: string;
  /** S3 bucket, or null for a local file. */
  bucket: string | null;
  /** S3 key, or the absolute local path. */
  key: string;
  /** Size in bytes as listed (compressed size for .gz). */
  size: number;
  /** S3 ETag, or `${size}-${mtimeMs}` for a local file. */
  etag: string;
  /** Integration id the object came from (`local` for `iota process` on files). */
  sourceId: string;
  /** Integration label/name. */
  sourceLabel: string;
}

/** Log types iota emits. */
export type LogType = "AWS.CloudTrail" | "AWS.CloudTrailInsight";

/** One normalized event, ready for the lake and the rules. */
export interface NormalizedEvent {
  /** Deterministic from the object uri and record index. */
  rowId: string;
  /** Record index inside the source object (0-based, counting bad records too). */
  index: number;
  logType: LogType;
  /** `eventTime` as epoch milliseconds (UTC). */
  eventTime: number;
  eventName: string | null;
  eventSource: string | null;
  /** The original record as parsed (no p_ fields). Treat as read-only. */
  record: Record<string, unknown>;
  /** One-line JSON of the normalized event: every original field verbatim plus the p_ fields. */
  json: string;
}

/** A record that could not become an event. */
export interface BadRecord {
  /** Record index inside the object, or -1 when the object itself failed. */
  index: number;
  reason: string;
}

/** A batch of decoded events plus the bad records met while decoding it. */
export interface DecodedBatch {
  events: NormalizedEvent[];
  bad: BadRecord[];
  /** The events' lake lines, as encodeLakeLines() of lake/lines.ts would encode them. */
  lake: EncodedLines[];
}

/** What an object turned out to be. */
export type ObjectKind = "cloudtrail" | "insight" | "digest" | "empty" | "invalid";

/** Totals for one object, returned when decoding finishes. */
export interface DecodeSummary {
  kind: ObjectKind;
  /** Container shape detected from content, e.g. "records", "array", "single", "jsonl", "lookup-events". */
  format: string;
  /** Records seen (events + bad records). */
  records: number;
  events: number;
  badRecords: number;
  /** Object-level failure (corrupt gzip, not JSON, truncated): the reason, else null. */
  error: string | null;
}
